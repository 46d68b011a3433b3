"""The embedded ledger: interprets the model's templates, enforces DAML's authorization and visibility rules,
deduplicates commands and keeps an append-only, hash-chained log, persisted through :class:`Storage`.

Memory holds what is bounded by the ledger's state, never by its history: parties, packages, the active
contract set (an index by contract id, the same rows as the ``ledger_contracts`` table), the ledger end and
chain head, and the last :data:`RECENT_TRANSACTIONS` transactions (so streams tailing the end need no query).
The log itself and the deduplication entries are read from storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import secrets
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger.engine import keys
from ledger.engine.chain import (
    GENESIS_HASH,
    ChainBroken,
    acs_digest,
    chain_hash,
    check_entry,
    check_head,
    next_acs_digest,
)
from ledger.engine.clock import LedgerClock, TimeMode, timestamp_text
from ledger.engine.dedup import (
    DEFAULT_MAX_DEDUPLICATION_SECONDS,
    DeduplicationPeriod,
    DedupOffset,
    check_period,
    dedup_key,
    is_duplicate,
)
from ledger.engine.errors import (
    ContractIdNotFound,
    ContractKeyNotFound,
    ContractNotFound,
    DamlAuthorizationError,
    DuplicateCommand,
    InvalidDeduplicationPeriod,
    PackageNotFound,
    PartyExists,
    TemplatePreconditionViolated,
    UnknownChoice,
    UnknownTemplate,
    ValidationError,
)
from ledger.engine.keys import KeyIndex, KeyRow
from ledger.engine.model import (
    Command,
    Contract,
    CreateAndExerciseCommand,
    CreateCommand,
    CreatedEvent,
    ExerciseByKeyCommand,
    ExerciseCommand,
    ExercisedEvent,
    PackageInfo,
    PartyDetails,
    TemplateId,
    Transaction,
    TreeEvent,
)
from ledger.engine.model_choices import today_of
from ledger.engine.modeldefs import ChoiceContext, NewContract, Payload
from ledger.engine.party_ids import PartyIdMode, party_id
from ledger.engine.storage import Storage, epoch_seconds, load_keys, set_key_hashes
from ledger.engine.templates import MODEL, MODEL_FINGERPRINT, ChoiceDef, Model, TemplateDef
from ledger.engine.types import ContractIdOf
from ledger.engine.values import normalize_record, parties_of
from ledger.engine.verify import VerifyReport, verify_store

_HINT_RE = re.compile(r"^[A-Za-z0-9:\-_]{1,255}$")
#: How many of the newest transactions stay in memory for streams tailing the ledger end.
RECENT_TRANSACTIONS = 256
#: Page size of reads of the log from storage.
LOG_PAGE_SIZE = 500
#: Expired deduplication entries are pruned at most this often (seconds).
DEDUP_PRUNE_INTERVAL = 60.0

log = logging.getLogger(__name__)

__all__ = ["GENESIS_HASH", "ChainBroken", "EmbeddedLedger", "chain_hash", "dedup_key"]


def _now() -> str:
    return timestamp_text(datetime.now(UTC))


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


@dataclass(frozen=True)
class _Effects:
    """A written transaction and what it changes in memory once its database transaction committed."""

    tx: Transaction
    created: list[Contract]
    archived: list[str]
    key_changes: tuple[list[KeyRow], list[str]]
    acs_digest: str


class EmbeddedLedger:
    """A DAML ledger in one process. Open it with :meth:`open`; close it with :meth:`close`.

    All methods are coroutines safe to call concurrently from one event loop; submissions are serialised."""

    def __init__(
        self,
        storage: Storage,
        *,
        model: Model = MODEL,
        model_package_id: str = MODEL_FINGERPRINT,
        max_deduplication_seconds: float = DEFAULT_MAX_DEDUPLICATION_SECONDS,
        time_mode: TimeMode = "wall",
        party_ids: PartyIdMode = "hint",
    ) -> None:
        self._storage = storage
        self.clock = LedgerClock(time_mode)
        """Ledger time (``clock.now()``; ``clock.set_time`` in static mode, see ``ledger.engine.clock``)."""
        self.party_ids: PartyIdMode = party_ids
        self.model = model
        self.model_package_id = model_package_id
        self.ledger_id = ""
        self._lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._parties: dict[str, PartyDetails] = {}
        self._packages: dict[str, tuple[PackageInfo, bytes]] = {}
        self.package_templates: dict[str, frozenset[str]] = {}
        """Package id -> the model's templates (``Module:Entity``) it holds: packages besides the model's
        that commands may name (registered by ``ledger.packages`` once validated as the model)."""
        self.max_deduplication_seconds = max_deduplication_seconds
        self._end = 0
        self._head = GENESIS_HASH
        self._acs_digest = acs_digest(())
        self._recent: deque[Transaction] = deque(maxlen=RECENT_TRANSACTIONS)
        self._active: dict[str, Contract] = {}
        self._last_prune = 0.0
        self._keys = KeyIndex(model)

    # -- lifecycle -------------------------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        database_url: str,
        *,
        ledger_id: str | None = None,
        model: Model = MODEL,
        model_package_id: str = MODEL_FINGERPRINT,
        max_deduplication_seconds: float = DEFAULT_MAX_DEDUPLICATION_SECONDS,
        time_mode: TimeMode = "wall",
        party_ids: PartyIdMode = "hint",
    ) -> EmbeddedLedger:
        """Open (creating tables if needed) the ledger stored at ``database_url`` and load its state.

        The chain head is checked (the newest entry hashes right, follows the one before, offsets are
        1..n) and every active contract row must lie within the log: a store that fails raises
        :class:`ChainBroken` and is not served (``lso ledger verify`` says what is wrong).
        ``max_deduplication_seconds`` is the longest deduplication period a command may ask for, and the
        period of commands that give none.

        ``ledger_id`` is set on first start (default ``lso-<random>``) and kept afterwards;
        ``time_mode``: ledger time from the wall clock or static (``ledger.engine.clock``); ``party_ids``:
        how allocated party ids look (``ledger.engine.party_ids``: ``canton`` ``<hint>::<fingerprint>``, or
        the hint itself).

        ``model_package_id``
        is the package id under which the model's templates are reported (the DAML-LF package id when
        the DAML-LF builder is available; command template ids naming any stored package or ``""``
        resolve by name).
        """
        storage = Storage(database_url)
        try:
            await storage.create()
            ledger = cls(
                storage,
                model=model,
                model_package_id=model_package_id,
                max_deduplication_seconds=max_deduplication_seconds,
                time_mode=time_mode,
                party_ids=party_ids,
            )
            await ledger._load(ledger_id)
        except BaseException:
            await storage.close()
            raise
        return ledger

    async def _load(self, ledger_id: str | None) -> None:
        state = await self._storage.load()
        if state.ledger_id is None:
            state.ledger_id = ledger_id or f"lso-{secrets.token_hex(6)}"
            await self._storage.set_ledger_id(state.ledger_id)
        self.ledger_id = state.ledger_id
        self._parties = {p.party: p for p in state.parties}
        self._packages = dict(state.packages)
        self._end, self._head = check_head(state.log_count, state.last_rows)
        beyond = [c.contract_id for c in state.active if not 0 < c.created_offset <= self._end]
        if beyond:
            raise ChainBroken(
                f"active contract {beyond[0]} is not created by any transaction of the log "
                f"(ledger end {self._end})"
            )
        self._active = {c.contract_id: c for c in state.active}
        self._acs_digest = acs_digest(state.active)
        head_digest = json.loads(state.last_rows[0][1]).get("acs_digest") if state.last_rows else None
        if head_digest is not None and head_digest != self._acs_digest:
            raise ChainBroken(
                "the active contract set in the contracts table is not the one the log's head transaction "
                "records (a contract row was edited, added, deleted or un-archived): run `lso ledger verify`"
            )
        self._keys.load(await load_keys(self._storage))
        await set_key_hashes(self._storage, self._keys.backfill(self._active.values()))

    @property
    def database(self) -> AsyncEngine:
        """The ledger's database, shared by the stores that keep their tables beside the ledger's (users)."""
        return self._storage.engine

    async def close(self) -> None:
        await self._storage.close()

    # -- parties ---------------------------------------------------------------------------------------------

    async def allocate_party(self, hint: str | None = None, display_name: str | None = None) -> PartyDetails:
        """Allocate a party from ``hint`` (letters, digits, ``:-_``; default a fresh ``party-<hex>``): its id
        is ``<hint>::<fingerprint>`` or the hint itself (:attr:`party_ids`). Raises :class:`PartyExists` if
        that id is taken, :class:`ValidationError` if the hint is malformed."""
        async with self._lock:
            hint = hint or f"party-{secrets.token_hex(8)}"
            if not _HINT_RE.match(hint):
                raise ValidationError(f"party id hint {hint!r} may only hold letters, digits, ':', '-', '_'")
            party = party_id(hint, self.party_ids, self.ledger_id)
            if party in self._parties:
                raise PartyExists(f"party {party!r} already exists")
            details = PartyDetails(party=party, display_name=display_name or hint, is_local=True)
            await self._storage.add_party(details)
            self._parties[party] = details
            return details

    async def ensure_party(self, party: str, display_name: str | None = None) -> PartyDetails:
        """The party, allocated with that exact id if it does not exist yet (idempotent)."""
        existing = self._parties.get(party)
        if existing is not None:
            return existing
        async with self._lock:
            if party in self._parties:
                return self._parties[party]
            if not _HINT_RE.match(party):
                raise ValidationError(f"party id {party!r} may only hold letters, digits, ':', '-', '_'")
            details = PartyDetails(party=party, display_name=display_name or party, is_local=True)
            await self._storage.add_party(details)
            self._parties[party] = details
            return details

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

    def hide_package(self, package_id: str) -> None:
        """Stop serving a stored package (it stays in storage): ``ledger.packages`` hides, at start, a package
        stored before uploads were validated that no DAML-LF client could read."""
        self._packages.pop(package_id, None)
        self.package_templates.pop(package_id, None)

    # -- templates -------------------------------------------------------------------------------------------

    def resolve_template(self, template_id: TemplateId) -> tuple[TemplateId, TemplateDef]:
        """The template's id as the ledger records it and its definition.

        The package id may be ``""`` (the model's package, :attr:`model_package_id`), the model's, or an
        uploaded package that holds this template of the model (:attr:`package_templates`, e.g. the DAR
        ``daml build`` or an older version of the platform made): the id keeps the package id given."""
        pkg = template_id.package_id
        if pkg and pkg != self.model_package_id:
            names = self.package_templates.get(pkg)
            if names is None:
                known = "holds none of the model's templates" if pkg in self._packages else "is unknown"
                raise UnknownTemplate(f"package {pkg!r} of template id {template_id} {known}")
            if template_id.qualified_name not in names:
                raise UnknownTemplate(f"package {pkg!r} has no template {template_id.qualified_name}")
        try:
            tdef = self.model.template(template_id.module_name, template_id.entity_name)
        except KeyError:
            raise UnknownTemplate(f"unknown template {template_id.qualified_name}") from None
        return TemplateId(pkg or self.model_package_id, tdef.module, tdef.entity), tdef

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
        deduplication_period: DeduplicationPeriod | None = None,
    ) -> Transaction:
        """Interpret ``commands`` as one atomic transaction and commit it.

        Raises :class:`DuplicateCommand` when a command with the same ``(application_id, command_id,
        set(act_as))`` was accepted within ``deduplication_period`` (default: the maximum,
        :attr:`max_deduplication_seconds`; see :mod:`ledger.engine.dedup`),
        :class:`InvalidDeduplicationPeriod` for a period longer than the maximum, :class:`AuthorizationError`
        (a signatory or controller is not in ``act_as``), :class:`ContractNotFound` (unknown, archived, or not
        visible to ``act_as`` | ``read_as``), :class:`ValidationError`/:class:`UnknownTemplate`/
        :class:`UnknownChoice`."""
        if not command_id:
            raise ValidationError("command id is empty")
        if not act_as:
            raise ValidationError("actAs is empty")
        if not commands:
            raise ValidationError("no commands")
        period = check_period(deduplication_period, self.max_deduplication_seconds)
        key = dedup_key(application_id, command_id, act_as)
        async with self._lock:
            async with self._storage.begin() as conn:  # the dedup check and the commit: one db transaction
                await self._check_duplicate(key, period, conn)
                effects = await self._commit(
                    command_id, application_id, act_as, commands, read_as, workflow_id, key, conn
                )
            self._applied(effects)
            await self._maybe_prune()
        tx = effects.tx
        async with self._changed:
            self._changed.notify_all()
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
        deduplication_period: DeduplicationPeriod | None = None,
    ) -> tuple[Transaction, bool]:
        """Like :meth:`submit`, but a duplicate is no error: the accepted command's transaction comes back
        with ``True`` (engine callers that want idempotence; the APIs answer a duplicate as Daml does)."""
        try:
            tx = await self.submit(
                command_id,
                application_id,
                act_as,
                commands,
                read_as=read_as,
                workflow_id=workflow_id,
                deduplication_period=deduplication_period,
            )
        except DuplicateCommand as duplicate:
            original = await self._storage.transaction_at(duplicate.offset)
            assert original is not None, "a dedup entry names a transaction of the log"
            return original, True
        return tx, False

    async def _check_duplicate(self, key: str, period: DeduplicationPeriod, conn: AsyncConnection) -> None:
        now = time.time()
        if isinstance(period, DedupOffset):
            await self._check_offset_period(period.offset, now)
        entry = await self._storage.dedup_entry(key, conn)
        if is_duplicate(entry, period, now):
            assert entry is not None
            raise DuplicateCommand(entry.offset, entry.transaction_id)

    async def _check_offset_period(self, offset: int, now: float) -> None:
        """An offset period must start within the maximum deduplication time (older entries are pruned)."""
        if offset > self._end:
            raise ValidationError(f"deduplication offset {offset:016x} is beyond the ledger end")
        if self._end == 0 or offset == self._end:
            return
        first = await self._storage.transaction_at(offset + 1)
        if first is None or epoch_seconds(first.effective_at) < now - self.max_deduplication_seconds:
            raise InvalidDeduplicationPeriod(
                f"The deduplication offset {offset:016x} starts before the maximum deduplication time",
                self.max_deduplication_seconds,
            )

    async def _commit(
        self,
        command_id: str,
        application_id: str,
        act_as: Sequence[str],
        commands: Sequence[Command],
        read_as: Sequence[str],
        workflow_id: str,
        key: str,
        conn: AsyncConnection,
    ) -> _Effects:
        """Interpret and write (under the submission lock, within ``conn``'s database transaction); the
        in-memory state changes by :meth:`_applied` once that transaction committed."""
        unknown = sorted(p for p in {*act_as, *read_as} if p not in self._parties)
        if unknown:
            raise ValidationError(f"unknown submitting party(ies): {', '.join(unknown)}")
        draft = _Draft(
            transaction_id=uuid.uuid4().hex,
            effective_at=timestamp_text(self.clock.now()),
            offset=self._end + 1,
        )
        acting = frozenset(act_as)
        readers = acting | frozenset(read_as)
        for command in commands:
            draft.roots.extend(self._interpret(draft, command, acting, readers))
        prev_hash = self._head
        created = [c for cid, c in draft.created.items() if cid not in draft.archived]
        archived_before = [cid for cid in draft.archived if cid not in draft.created]
        transient = [c for cid, c in draft.created.items() if cid in draft.archived]
        digest = next_acs_digest(self._acs_digest, created, [self._active[cid] for cid in archived_before])
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
            acs_digest=digest,
        )
        tx = Transaction(**{**_fields(tx), "hash": chain_hash(prev_hash, tx.body())})
        now = time.time()
        key_changes = self._keys.changes(created, archived_before)
        await self._storage.commit(
            tx,
            created + transient,
            archived_before + [c.contract_id for c in transient],
            key,
            now,
            key_hashes={row.contract_id: row.key_hash for row in key_changes[0]},
            conn=conn,
        )
        return _Effects(tx, created, archived_before, key_changes, digest)

    def _applied(self, effects: _Effects) -> None:
        """Bring the in-memory state up to a committed transaction."""
        for c in effects.created:
            self._active[c.contract_id] = c
        for cid in effects.archived:
            self._active.pop(cid, None)
        self._keys.apply(*effects.key_changes)
        self._recent.append(effects.tx)
        self._end = effects.tx.offset
        self._head = effects.tx.hash
        self._acs_digest = effects.acs_digest

    async def _maybe_prune(self) -> None:
        now = time.time()
        if now - self._last_prune >= DEDUP_PRUNE_INTERVAL:
            self._last_prune = now
            pruned = await self._storage.prune_dedup(now - self.max_deduplication_seconds)
            if pruned:
                log.info("pruned %d expired deduplication entries", pruned)

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
        if isinstance(command, ExerciseByKeyCommand):
            template_id, tdef = self.resolve_template(command.template_id)
            key = keys.normalize_key(tdef, command.key, self.model)
            lookup = keys.KeyLookup(self._keys, self._active, draft.created, draft.archived)
            contract = lookup.visible_by_key(tdef, key, readers)
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
        if contract is None or not contract.visible_to(readers):
            # one answer for unknown, archived and hidden contracts (Daml's CONTRACT_NOT_FOUND)
            raise ContractIdNotFound(contract_id)
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
            raise DamlAuthorizationError(
                f"create of {tdef.entity} requires authorization of signatory(ies) {', '.join(missing)}, "
                f"given {', '.join(sorted(authorizers)) or 'none'}"
            )
        unknown = sorted(p for p in (*signatories, *observers) if p not in self._parties)
        if unknown:
            raise ValidationError(f"unknown party(ies) {', '.join(unknown)} in {tdef.entity}")
        broken = tdef.broken_rule(payload)
        if broken is not None:
            raise TemplatePreconditionViolated(
                f"Interpretation error: Error: Template precondition violated in {tdef.qualified_name}: "
                f"{broken.words} (ensure {broken.daml})",
                {"template_id": tdef.qualified_name},
            )
        lookup = keys.KeyLookup(self._keys, self._active, draft.created, draft.archived)
        lookup.check_unique(tdef, payload, signatories)
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
            raise DamlAuthorizationError(
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
        for new in self._run_body(draft, contract, tdef, choice, arg, authorizers):
            target = self.model.template(tdef.module, new.template)
            # what a choice creates is in the exercised contract's package (packages are closed: conform.py)
            target_id = TemplateId(
                contract.template_id.package_id or self.model_package_id, target.module, target.entity
            )
            child = self._create(draft, target_id, target, dict(new.payload), authorizers, witnesses)
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

    def _run_body(
        self,
        draft: _Draft,
        contract: Contract,
        tdef: TemplateDef,
        choice: ChoiceDef,
        arg: dict[str, Any],
        authorizers: frozenset[str],
    ) -> list[NewContract]:
        """The contracts ``choice``'s body creates (none without a body); its asserts raise
        :class:`UnhandledException`."""
        if choice.body is None:
            return []

        def fetch_by_key(entity: str, key: Payload) -> Payload:
            # Daml's fetchByKey inside a choice: the choice's authorizers must include a maintainer, who
            # sees the contract (a stakeholder), whether or not the submitting party does
            target = self.model.template(tdef.module, entity)
            lookup = keys.KeyLookup(self._keys, self._active, draft.created, draft.archived)
            found = lookup.active_by_key(target.qualified_name, dict(key))
            if found is None or not found.visible_to(authorizers):
                order = key.get("orderId", "")
                words = f"no {_words(entity)} for order {order}" if order else f"no {_words(entity)} with key"
                raise ContractKeyNotFound(words, {"template_id": target.qualified_name})
            return found.payload

        now = draft.effective_at
        context = ChoiceContext(
            this=contract.payload, arg=arg, now=now, today=today_of(now), fetch_by_key=fetch_by_key
        )
        return list(choice.body.run(context))

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
        return contracts, self._end

    async def fetch(self, contract_id: str, parties: Iterable[str]) -> Contract:
        """The active contract, if some of ``parties`` are its stakeholders; else
        :class:`ContractNotFound`."""
        readers = frozenset(parties)
        contract = self._active.get(contract_id)
        if contract is None or not contract.visible_to(readers):
            raise ContractIdNotFound(contract_id)
        return contract

    async def fetch_by_key(self, template_id: TemplateId, key: Any, parties: Iterable[str]) -> Contract:
        """The active contract of ``template_id`` whose contract key is ``key``, if some of ``parties`` are
        its stakeholders; else :class:`ContractKeyNotFound` (see ``ledger.engine.keys``)."""
        _, tdef = self.resolve_template(template_id)
        value = keys.normalize_key(tdef, key, self.model)
        return keys.KeyLookup(self._keys, self._active).visible_by_key(tdef, value, frozenset(parties))

    async def transactions(
        self, parties: Iterable[str] | None, begin_offset: int = 0, end_offset: int | None = None
    ) -> list[Transaction]:
        """Transactions after ``begin_offset`` up to and including ``end_offset`` (default: the end) that some
        of ``parties`` witness (None: all). Filter their events with ``tx.flat_events(parties)`` or
        ``tx.tree_events(parties)``. Collects :meth:`iter_transactions` (prefer that for long ranges)."""
        return [tx async for tx in self.iter_transactions(parties, begin_offset, end_offset)]

    async def iter_transactions(
        self,
        parties: Iterable[str] | None,
        begin_offset: int = 0,
        end_offset: int | None = None,
        page_size: int = LOG_PAGE_SIZE,
    ) -> AsyncIterator[Transaction]:
        """The same transactions as :meth:`transactions`, read from storage ``page_size`` at a time (the
        newest :data:`RECENT_TRANSACTIONS` come from memory). ``end_offset`` None: the ledger end when
        called."""
        end = self._end if end_offset is None else min(end_offset, self._end)
        readers = None if parties is None else frozenset(parties)
        cursor = max(begin_offset, 0)
        while cursor < end:
            page = self._recent_after(cursor, end)
            if page is None:
                page = await self._storage.log_page(cursor, end, max(page_size, 1))
                if not page:
                    return
            for tx in page:
                if readers is None or tx.visible_to(readers):
                    yield tx
            cursor = page[-1].offset

    def _recent_after(self, cursor: int, end: int) -> list[Transaction] | None:
        """The cached transactions in ``(cursor, end]``, if the cache reaches back to ``cursor + 1``."""
        if not self._recent or self._recent[0].offset > cursor + 1:
            return None
        return [tx for tx in self._recent if cursor < tx.offset <= end] or None

    async def transaction_by_id(self, transaction_id: str) -> Transaction | None:
        for tx in reversed(self._recent):
            if tx.transaction_id == transaction_id:
                return tx
        return await self._storage.transaction_by_id(transaction_id)

    async def ledger_end(self) -> int:
        """Offset of the last transaction (0 when the ledger is empty)."""
        return self._end

    @property
    def chain_head(self) -> str:
        """Hash of the newest log entry (:data:`GENESIS_HASH` when the log is empty)."""
        return self._head

    async def wait_for_change(self, after_offset: int, timeout: float | None = None) -> int:  # noqa: ASYNC109
        """Wait until the ledger end passes ``after_offset`` (or ``timeout`` seconds); return the ledger
        end."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._end > after_offset), timeout=timeout
                )
        return self._end

    def memory_stats(self) -> dict[str, int]:
        """Sizes of what the engine holds in memory (none grows with the length of the log)."""
        return {
            "ledger_end": self._end,
            "cached_transactions": len(self._recent),
            "active_contracts": len(self._active),
            "parties": len(self._parties),
            "packages": len(self._packages),
        }

    async def dedup_entries(self) -> int:
        """How many deduplication entries storage holds (at most the commands of one maximum period)."""
        return await self._storage.dedup_count()

    async def prune_deduplication(self, now: float | None = None) -> int:
        """Forget deduplication entries older than the maximum period (also done every
        :data:`DEDUP_PRUNE_INTERVAL` seconds while committing); how many were removed."""
        moment = time.time() if now is None else now
        self._last_prune = moment
        return await self._storage.prune_dedup(moment - self.max_deduplication_seconds)

    async def verify_chain(self) -> int:
        """Re-check the stored log, page by page: offsets 1..n, each prev_hash the previous hash, each hash
        recomputed. Returns the number of entries; raises :class:`ChainBroken`."""
        prev = GENESIS_HASH
        count = 0
        async for offset, _, body, prev_hash, hash_ in self._storage.iter_log_rows():
            count += 1
            check_entry(count, prev, (offset, body, prev_hash, hash_))
            prev = hash_
        return count

    async def verify(self) -> VerifyReport:
        """:meth:`verify_chain` and the active contract set: the contracts table must be what replaying the
        log gives (see :mod:`ledger.engine.verify`). Never raises for a broken store: read the report."""
        return await verify_store(self._storage, self.model)


def _words(entity: str) -> str:
    """``OrderAgreement`` -> ``order agreement``."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", entity).lower()


def _placeholder(event_id: str) -> ExercisedEvent:
    return ExercisedEvent(event_id, "", TemplateId("", "", ""), "", {}, (), False, (), None, ())


def _fields(tx: Transaction) -> dict[str, Any]:
    return {name: getattr(tx, name) for name in tx.__dataclass_fields__}
