"""The embedded ledger: interprets the model's templates, enforces DAML's authorization and visibility rules,
deduplicates commands and keeps an append-only, hash-chained log, persisted through :class:`Storage`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledger.engine.errors import (
    AuthorizationError,
    ContractNotFound,
    PackageNotFound,
    PartyExists,
    UnknownChoice,
    UnknownTemplate,
    ValidationError,
)
from ledger.engine.model import (
    Command,
    Contract,
    CreateAndExerciseCommand,
    CreateCommand,
    CreatedEvent,
    ExerciseCommand,
    ExercisedEvent,
    PackageInfo,
    PartyDetails,
    TemplateId,
    Transaction,
    TreeEvent,
)
from ledger.engine.storage import Storage, canonical_json
from ledger.engine.templates import MODEL, MODEL_FINGERPRINT, ChoiceDef, Model, TemplateDef
from ledger.engine.types import ContractIdOf
from ledger.engine.values import normalize_record, parties_of

GENESIS_HASH = "0" * 64
_HINT_RE = re.compile(r"^[A-Za-z0-9:\-_]{1,255}$")


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of body)`` as hex."""
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


def _now() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond:06d}Z"


def dedup_key(application_id: str, command_id: str, act_as: Iterable[str]) -> str:
    return canonical_json([application_id, command_id, sorted(set(act_as))])


class ChainBroken(Exception):
    """The stored log does not verify (an entry was altered, removed or reordered)."""


@dataclass
class _Draft:
    """A transaction being interpreted: nothing touches the ledger's state until it commits."""

    transaction_id: str
    effective_at: str
    offset: int
    created: dict[str, Contract] = field(default_factory=dict)
    archived: set[str] = field(default_factory=set)
    events: list[TreeEvent] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)

    def next_event_id(self) -> str:
        return f"#{self.transaction_id}:{len(self.events)}"


class EmbeddedLedger:
    """A DAML ledger in one process. Open it with :meth:`open`; close it with :meth:`close`.

    All methods are coroutines safe to call concurrently from one event loop; submissions are serialised."""

    def __init__(
        self, storage: Storage, *, model: Model = MODEL, model_package_id: str = MODEL_FINGERPRINT
    ) -> None:
        self._storage = storage
        self.model = model
        self.model_package_id = model_package_id
        self.ledger_id = ""
        self._lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._parties: dict[str, PartyDetails] = {}
        self._packages: dict[str, tuple[PackageInfo, bytes]] = {}
        self._log: list[Transaction] = []
        self._active: dict[str, Contract] = {}
        self._archived: set[str] = set()
        self._commands: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        database_url: str,
        *,
        ledger_id: str | None = None,
        model: Model = MODEL,
        model_package_id: str = MODEL_FINGERPRINT,
    ) -> EmbeddedLedger:
        """Open (creating tables if needed) the ledger stored at ``database_url`` and load its state.

        ``ledger_id`` is set on first start (default ``lso-<random>``) and kept afterwards;
        ``model_package_id``
        is the package id under which the model's templates are reported (the DAML-LF package id when
        the DAML-LF builder is available; command template ids naming any stored package or ``""``
        resolve by name).
        """
        storage = Storage(database_url)
        await storage.create()
        ledger = cls(storage, model=model, model_package_id=model_package_id)
        await ledger._load(ledger_id)
        return ledger

    async def _load(self, ledger_id: str | None) -> None:
        state = await self._storage.load()
        if state.ledger_id is None:
            state.ledger_id = ledger_id or f"lso-{secrets.token_hex(6)}"
            await self._storage.set_ledger_id(state.ledger_id)
        self.ledger_id = state.ledger_id
        self._parties = {p.party: p for p in state.parties}
        self._packages = dict(state.packages)
        self._log = state.log
        self._active = {c.contract_id: c for c in state.active}
        self._archived = state.archived
        self._commands = state.commands

    async def close(self) -> None:
        await self._storage.close()

    # -- parties ---------------------------------------------------------------------------------------------

    async def allocate_party(self, hint: str | None = None, display_name: str | None = None) -> PartyDetails:
        """Allocate a party; its id is ``hint`` (letters, digits, ``:-_``) or a fresh ``party-<hex>``.
        Raises :class:`PartyExists` if ``hint`` is taken, :class:`ValidationError` if it is malformed."""
        async with self._lock:
            party = hint or f"party-{secrets.token_hex(8)}"
            if not _HINT_RE.match(party):
                raise ValidationError(f"party id hint {party!r} may only hold letters, digits, ':', '-', '_'")
            if party in self._parties:
                raise PartyExists(f"party {party!r} already exists")
            details = PartyDetails(party=party, display_name=display_name or party, is_local=True)
            await self._storage.add_party(details)
            self._parties[party] = details
            return details

    async def ensure_party(self, party: str, display_name: str | None = None) -> PartyDetails:
        """The party, allocated with that exact id if it does not exist yet (idempotent)."""
        existing = self._parties.get(party)
        if existing is not None:
            return existing
        try:
            return await self.allocate_party(party, display_name)
        except PartyExists:
            return self._parties[party]

    async def list_parties(self) -> list[PartyDetails]:
        return sorted(self._parties.values(), key=lambda p: p.party)

    async def get_parties(self, parties: Iterable[str]) -> list[PartyDetails]:
        return [self._parties[p] for p in parties if p in self._parties]

    # -- packages (opaque bytes) -----------------------------------------------------------------------------

    async def upload_package(self, package_id: str, payload: bytes, source: str = "") -> PackageInfo:
        """Store a package (e.g. a DALF payload) under ``package_id``; uploading it again is a no-op."""
        async with self._lock:
            existing = self._packages.get(package_id)
            if existing is not None:
                return existing[0]
            info = PackageInfo(package_id=package_id, size=len(payload), uploaded_at=_now(), source=source)
            await self._storage.add_package(info, payload)
            self._packages[package_id] = (info, payload)
            return info

    async def list_packages(self) -> list[str]:
        return sorted(self._packages)

    async def package_infos(self) -> list[PackageInfo]:
        return sorted((info for info, _ in self._packages.values()), key=lambda i: i.package_id)

    async def get_package(self, package_id: str) -> bytes:
        try:
            return self._packages[package_id][1]
        except KeyError:
            raise PackageNotFound(f"no package {package_id!r}") from None

    # -- templates -------------------------------------------------------------------------------------------

    def resolve_template(self, template_id: TemplateId) -> tuple[TemplateId, TemplateDef]:
        """The template's canonical id (package id = :attr:`model_package_id`) and its definition.

        The package id may be ``""``, the model's, or any uploaded package's (a DAR built by
        ``daml build``)."""
        pkg = template_id.package_id
        if pkg and pkg != self.model_package_id and pkg not in self._packages:
            raise UnknownTemplate(f"unknown package {pkg!r} in template id {template_id}")
        try:
            tdef = self.model.template(template_id.module_name, template_id.entity_name)
        except KeyError:
            raise UnknownTemplate(f"unknown template {template_id.qualified_name}") from None
        return TemplateId(self.model_package_id, tdef.module, tdef.entity), tdef

    def template_ids(self) -> list[TemplateId]:
        return [TemplateId(self.model_package_id, t.module, t.entity) for t in self.model.templates]

    # -- commands --------------------------------------------------------------------------------------------

    async def submit(
        self,
        command_id: str,
        application_id: str,
        act_as: Sequence[str],
        commands: Sequence[Command],
        *,
        read_as: Sequence[str] = (),
        workflow_id: str = "",
    ) -> Transaction:
        """Interpret ``commands`` as one atomic transaction and commit it; see :meth:`submit_ex`."""
        tx, _ = await self.submit_ex(
            command_id, application_id, act_as, commands, read_as=read_as, workflow_id=workflow_id
        )
        return tx

    async def submit_ex(
        self,
        command_id: str,
        application_id: str,
        act_as: Sequence[str],
        commands: Sequence[Command],
        *,
        read_as: Sequence[str] = (),
        workflow_id: str = "",
    ) -> tuple[Transaction, bool]:
        """Like :meth:`submit`, also saying whether the command was a duplicate.

        A command whose ``(application_id, command_id, act_as)`` was already committed has no new effect: the
        original transaction comes back with ``True``. Raises :class:`AuthorizationError` (a signatory or
        controller is not in ``act_as``), :class:`ContractNotFound` (unknown, archived, or not visible to
        ``act_as`` | ``read_as``),
        :class:`ValidationError`/:class:`UnknownTemplate`/:class:`UnknownChoice`."""
        if not command_id:
            raise ValidationError("command id is empty")
        if not act_as:
            raise ValidationError("actAs is empty")
        if not commands:
            raise ValidationError("no commands")
        key = dedup_key(application_id, command_id, act_as)
        async with self._lock:
            done = self._commands.get(key)
            if done is not None:
                return self._log[done - 1], True
            unknown = sorted(p for p in {*act_as, *read_as} if p not in self._parties)
            if unknown:
                raise ValidationError(f"unknown submitting party(ies): {', '.join(unknown)}")
            draft = _Draft(
                transaction_id=uuid.uuid4().hex,
                effective_at=_now(),
                offset=len(self._log) + 1,
            )
            acting = frozenset(act_as)
            readers = acting | frozenset(read_as)
            for command in commands:
                draft.roots.extend(self._interpret(draft, command, acting, readers))
            prev_hash = self._log[-1].hash if self._log else GENESIS_HASH
            tx = Transaction(
                transaction_id=draft.transaction_id,
                command_id=command_id,
                application_id=application_id,
                workflow_id=workflow_id,
                act_as=tuple(act_as),
                offset=draft.offset,
                effective_at=draft.effective_at,
                events=tuple(draft.events),
                root_event_ids=tuple(draft.roots),
                prev_hash=prev_hash,
            )
            tx = Transaction(**{**_fields(tx), "hash": chain_hash(prev_hash, tx.body())})
            created = [c for cid, c in draft.created.items() if cid not in draft.archived]
            archived_before = [cid for cid in draft.archived if cid not in draft.created]
            transient = [c for cid, c in draft.created.items() if cid in draft.archived]
            await self._storage.commit(
                tx, created + transient, archived_before + list(c.contract_id for c in transient), key
            )
            for c in created:
                self._active[c.contract_id] = c
            for cid in archived_before:
                self._active.pop(cid, None)
            self._archived.update(draft.archived)
            self._log.append(tx)
            self._commands[key] = tx.offset
        async with self._changed:
            self._changed.notify_all()
        return tx, False

    def _interpret(
        self, draft: _Draft, command: Command, acting: frozenset[str], readers: frozenset[str]
    ) -> list[str]:
        """Interpret one command into ``draft``; the ids of its root events."""
        if isinstance(command, CreateCommand):
            template_id, tdef = self.resolve_template(command.template_id)
            return [self._create(draft, template_id, tdef, command.arguments, acting, witnesses=frozenset())]
        if isinstance(command, ExerciseCommand):
            template_id, tdef = self.resolve_template(command.template_id)
            contract = self._lookup(draft, command.contract_id, readers)
            if contract.template_id.qualified_name != template_id.qualified_name:
                raise ValidationError(
                    f"contract {command.contract_id} is a {contract.template_id.qualified_name}, "
                    f"not a {template_id.qualified_name}"
                )
            return [self._exercise(draft, contract, tdef, command.choice, command.argument, acting)]
        if isinstance(command, CreateAndExerciseCommand):
            template_id, tdef = self.resolve_template(command.template_id)
            create_id = self._create(
                draft, template_id, tdef, command.arguments, acting, witnesses=frozenset()
            )
            created = draft.events[-1] if draft.events[-1].event_id == create_id else None
            assert isinstance(created, CreatedEvent)
            contract = draft.created[created.contract_id]
            exercise_id = self._exercise(draft, contract, tdef, command.choice, command.argument, acting)
            return [create_id, exercise_id]
        raise ValidationError(f"unknown command {command!r}")

    def _lookup(self, draft: _Draft, contract_id: str, readers: frozenset[str]) -> Contract:
        if contract_id in draft.archived:
            raise ContractNotFound(f"contract {contract_id} was archived in this transaction")
        contract = draft.created.get(contract_id) or self._active.get(contract_id)
        if contract is None:
            state = "archived" if contract_id in self._archived else "unknown"
            raise ContractNotFound(f"contract {contract_id} is {state}")
        if not contract.visible_to(readers):
            raise ContractNotFound(f"contract {contract_id} is not visible to {', '.join(sorted(readers))}")
        return contract

    def _create(
        self,
        draft: _Draft,
        template_id: TemplateId,
        tdef: TemplateDef,
        arguments: dict[str, Any],
        authorizers: frozenset[str],
        witnesses: frozenset[str],
    ) -> str:
        payload = normalize_record(arguments, tdef.fields, self.model, tdef.entity)
        signatories = tuple(sorted({p for name in tdef.signatories for p in parties_of(payload[name])}))
        observers = tuple(
            sorted({p for name in tdef.observers for p in parties_of(payload[name])} - set(signatories))
        )
        if not signatories:
            raise ValidationError(f"{tdef.entity} has no signatory")
        missing = sorted(set(signatories) - authorizers)
        if missing:
            raise AuthorizationError(
                f"create of {tdef.entity} requires authorization of signatory(ies) {', '.join(missing)}, "
                f"given {', '.join(sorted(authorizers)) or 'none'}"
            )
        unknown = sorted(p for p in (*signatories, *observers) if p not in self._parties)
        if unknown:
            raise ValidationError(f"unknown party(ies) {', '.join(unknown)} in {tdef.entity}")
        for name in tdef.ensure_positive:
            value = payload[name]
            if Decimal(str(value)) <= 0:
                raise ValidationError(f"template precondition violated: {tdef.entity}.{name} must be > 0")
        event_id = draft.next_event_id()
        contract_id = "00" + hashlib.sha256(f"{draft.transaction_id}:{event_id}".encode()).hexdigest()
        contract = Contract(
            contract_id=contract_id,
            template_id=template_id,
            payload=payload,
            signatories=signatories,
            observers=observers,
            created_offset=draft.offset,
            created_at=draft.effective_at,
        )
        draft.created[contract_id] = contract
        draft.events.append(
            CreatedEvent(
                event_id=event_id,
                contract_id=contract_id,
                template_id=template_id,
                payload=payload,
                signatories=signatories,
                observers=observers,
                witnesses=tuple(sorted(contract.stakeholders | witnesses)),
            )
        )
        return event_id

    def _exercise(
        self,
        draft: _Draft,
        contract: Contract,
        tdef: TemplateDef,
        choice_name: str,
        argument: dict[str, Any],
        acting: frozenset[str],
    ) -> str:
        try:
            choice: ChoiceDef = tdef.choice(choice_name)
        except KeyError:
            raise UnknownChoice(f"template {tdef.entity} has no choice {choice_name!r}") from None
        arg = normalize_record(argument or {}, choice.argument, self.model, choice_name)
        controllers = tuple(
            sorted({p for name in choice.controllers for p in parties_of(contract.payload[name])})
        )
        missing = sorted(set(controllers) - acting)
        if missing:
            raise AuthorizationError(
                f"exercise of {tdef.entity}.{choice_name} requires authorization of controller(s) "
                f"{', '.join(missing)}, given {', '.join(sorted(acting))}"
            )
        event_index = len(draft.events)
        event_id = draft.next_event_id()
        draft.events.append(_placeholder(event_id))
        if choice.consuming:
            draft.archived.add(contract.contract_id)
        authorizers = frozenset(contract.signatories) | frozenset(controllers)
        witnesses = contract.stakeholders | frozenset(controllers)
        children: list[str] = []
        results: list[str] = []
        for effect in choice.creates:
            target = self.model.template(tdef.module, effect.template)
            fields: dict[str, Any] = {}
            for name, source in effect.fields.items():
                scope, _, ref = source.partition(".")
                fields[name] = contract.payload[ref] if scope == "this" else arg[ref]
            target_id = TemplateId(self.model_package_id, target.module, target.entity)
            child = self._create(draft, target_id, target, fields, authorizers, witnesses)
            children.append(child)
            created = draft.events[-1]
            assert isinstance(created, CreatedEvent)
            results.append(created.contract_id)
        result: Any = results[0] if isinstance(choice.result, ContractIdOf) and results else {}
        draft.events[event_index] = ExercisedEvent(
            event_id=event_id,
            contract_id=contract.contract_id,
            template_id=contract.template_id,
            choice=choice_name,
            argument=arg,
            acting_parties=controllers,
            consuming=choice.consuming,
            child_event_ids=tuple(children),
            exercise_result=result,
            witnesses=tuple(sorted(witnesses)),
        )
        return event_id

    # -- reads -----------------------------------------------------------------------------------------------

    async def active_contracts(
        self, parties: Iterable[str], template_ids: Iterable[TemplateId] | None = None
    ) -> tuple[list[Contract], int]:
        """Active contracts some of ``parties`` are stakeholders of (optionally only of ``template_ids``,
        matched by ``Module:Entity``), in creation order, and the offset they are valid at."""
        readers = frozenset(parties)
        names = None if template_ids is None else {t.qualified_name for t in template_ids}
        contracts = [
            c
            for c in self._active.values()
            if c.visible_to(readers) and (names is None or c.template_id.qualified_name in names)
        ]
        return contracts, len(self._log)

    async def fetch(self, contract_id: str, parties: Iterable[str]) -> Contract:
        """The active contract, if some of ``parties`` are its stakeholders; else
        :class:`ContractNotFound`."""
        readers = frozenset(parties)
        contract = self._active.get(contract_id)
        if contract is None or not contract.visible_to(readers):
            raise ContractNotFound(f"contract {contract_id} not found, archived or not visible")
        return contract

    async def transactions(
        self, parties: Iterable[str] | None, begin_offset: int = 0, end_offset: int | None = None
    ) -> list[Transaction]:
        """Transactions after ``begin_offset`` up to and including ``end_offset`` (default: the end) that some
        of ``parties`` witness (None: all). Filter their events with ``tx.flat_events(parties)`` or
        ``tx.tree_events(parties)``."""
        end = len(self._log) if end_offset is None else min(end_offset, len(self._log))
        selected = self._log[max(begin_offset, 0) : end]
        if parties is None:
            return list(selected)
        readers = frozenset(parties)
        return [tx for tx in selected if tx.visible_to(readers)]

    async def transaction_by_id(self, transaction_id: str) -> Transaction | None:
        for tx in reversed(self._log):
            if tx.transaction_id == transaction_id:
                return tx
        return None

    async def ledger_end(self) -> int:
        """Offset of the last transaction (0 when the ledger is empty)."""
        return len(self._log)

    async def wait_for_change(self, after_offset: int, timeout: float | None = None) -> int:  # noqa: ASYNC109
        """Wait until the ledger end passes ``after_offset`` (or ``timeout`` seconds); return the ledger
        end."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self._log) > after_offset), timeout=timeout
                )
        return len(self._log)

    async def verify_chain(self) -> int:
        """Re-check the stored log: offsets 1..n, each prev_hash the previous hash, each hash recomputed.
        Returns the number of entries; raises :class:`ChainBroken`."""
        prev = GENESIS_HASH
        rows = await self._storage.log_rows()
        for expected, (offset, body, prev_hash, hash_) in enumerate(rows, start=1):
            if offset != expected:
                raise ChainBroken(f"log entry {expected} missing (found offset {offset})")
            if prev_hash != prev:
                raise ChainBroken(f"log entry {offset} does not follow entry {offset - 1}")
            if chain_hash(prev_hash, json.loads(body)) != hash_:
                raise ChainBroken(f"log entry {offset} was altered")
            prev = hash_
        return len(rows)


def _placeholder(event_id: str) -> ExercisedEvent:
    return ExercisedEvent(event_id, "", TemplateId("", "", ""), "", {}, (), False, (), None, ())


def _fields(tx: Transaction) -> dict[str, Any]:
    return {name: getattr(tx, name) for name in tx.__dataclass_fields__}
