"""Commands, contracts, events and transactions of the embedded ledger (plain frozen dataclasses,
JSON-able)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.engine.errors import ValidationError

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class TemplateId:
    """``package_id:module_name:entity_name``; ``package_id`` may be ``""`` in a command (resolved by
    name)."""

    package_id: str
    module_name: str
    entity_name: str

    def __str__(self) -> str:
        return f"{self.package_id}:{self.module_name}:{self.entity_name}"

    @property
    def qualified_name(self) -> str:
        return f"{self.module_name}:{self.entity_name}"

    @classmethod
    def parse(cls, text: str) -> TemplateId:
        """``pkg:Module:Entity`` or ``Module:Entity`` (package id left empty)."""
        parts = text.split(":")
        if len(parts) == 3 and all(parts[1:]):
            return cls(parts[0], parts[1], parts[2])
        if len(parts) == 2 and all(parts):
            return cls("", parts[0], parts[1])
        raise ValidationError(f"template id {text!r} is not 'packageId:Module:Entity' or 'Module:Entity'")

    def to_json(self) -> JsonDict:
        return {
            "package_id": self.package_id,
            "module_name": self.module_name,
            "entity_name": self.entity_name,
        }

    @classmethod
    def from_json(cls, data: JsonDict) -> TemplateId:
        return cls(data["package_id"], data["module_name"], data["entity_name"])


@dataclass(frozen=True, slots=True)
class CreateCommand:
    template_id: TemplateId
    arguments: JsonDict


@dataclass(frozen=True, slots=True)
class ExerciseCommand:
    template_id: TemplateId
    contract_id: str
    choice: str
    argument: JsonDict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExerciseByKeyCommand:
    """Exercise on the active contract of ``template_id`` whose contract key is ``key`` (see
    ``ledger.engine.keys``)."""

    template_id: TemplateId
    key: JsonDict
    choice: str
    argument: JsonDict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CreateAndExerciseCommand:
    template_id: TemplateId
    arguments: JsonDict
    choice: str
    argument: JsonDict = field(default_factory=dict)


Command = CreateCommand | ExerciseCommand | ExerciseByKeyCommand | CreateAndExerciseCommand


@dataclass(frozen=True, slots=True)
class Contract:
    """An active contract: ``payload`` is the normalised template argument."""

    contract_id: str
    template_id: TemplateId
    payload: JsonDict
    signatories: tuple[str, ...]
    observers: tuple[str, ...]
    created_offset: int
    created_at: str

    @property
    def stakeholders(self) -> frozenset[str]:
        return frozenset(self.signatories) | frozenset(self.observers)

    def visible_to(self, parties: frozenset[str] | set[str]) -> bool:
        return not self.stakeholders.isdisjoint(parties)


@dataclass(frozen=True, slots=True)
class CreatedEvent:
    event_id: str
    contract_id: str
    template_id: TemplateId
    payload: JsonDict
    signatories: tuple[str, ...]
    observers: tuple[str, ...]
    witnesses: tuple[str, ...]

    def to_json(self) -> JsonDict:
        return {
            "type": "created",
            "event_id": self.event_id,
            "contract_id": self.contract_id,
            "template_id": self.template_id.to_json(),
            "payload": self.payload,
            "signatories": list(self.signatories),
            "observers": list(self.observers),
            "witnesses": list(self.witnesses),
        }


@dataclass(frozen=True, slots=True)
class ExercisedEvent:
    event_id: str
    contract_id: str
    template_id: TemplateId
    choice: str
    argument: JsonDict
    acting_parties: tuple[str, ...]
    consuming: bool
    child_event_ids: tuple[str, ...]
    exercise_result: Any
    witnesses: tuple[str, ...]

    def to_json(self) -> JsonDict:
        return {
            "type": "exercised",
            "event_id": self.event_id,
            "contract_id": self.contract_id,
            "template_id": self.template_id.to_json(),
            "choice": self.choice,
            "argument": self.argument,
            "acting_parties": list(self.acting_parties),
            "consuming": self.consuming,
            "child_event_ids": list(self.child_event_ids),
            "exercise_result": self.exercise_result,
            "witnesses": list(self.witnesses),
        }


@dataclass(frozen=True, slots=True)
class ArchivedEvent:
    """Only in the flat view of a transaction (a consuming exercise archives its contract)."""

    event_id: str
    contract_id: str
    template_id: TemplateId
    witnesses: tuple[str, ...]


TreeEvent = CreatedEvent | ExercisedEvent
FlatEvent = CreatedEvent | ArchivedEvent


def event_from_json(data: JsonDict) -> TreeEvent:
    template_id = TemplateId.from_json(data["template_id"])
    if data["type"] == "created":
        return CreatedEvent(
            event_id=data["event_id"],
            contract_id=data["contract_id"],
            template_id=template_id,
            payload=data["payload"],
            signatories=tuple(data["signatories"]),
            observers=tuple(data["observers"]),
            witnesses=tuple(data["witnesses"]),
        )
    return ExercisedEvent(
        event_id=data["event_id"],
        contract_id=data["contract_id"],
        template_id=template_id,
        choice=data["choice"],
        argument=data["argument"],
        acting_parties=tuple(data["acting_parties"]),
        consuming=data["consuming"],
        child_event_ids=tuple(data["child_event_ids"]),
        exercise_result=data["exercise_result"],
        witnesses=tuple(data["witnesses"]),
    )


@dataclass(frozen=True, slots=True)
class Transaction:
    """A committed transaction: ``events`` is the tree in pre-order, ``root_event_ids`` its roots.

    ``offset`` is the ledger offset (1, 2, ...; 0 is the ledger begin); ``prev_hash``/``hash`` chain the log:
    ``hash = sha256(prev_hash + canonical JSON of body())``."""

    transaction_id: str
    command_id: str
    application_id: str
    workflow_id: str
    act_as: tuple[str, ...]
    offset: int
    effective_at: str
    events: tuple[TreeEvent, ...]
    root_event_ids: tuple[str, ...]
    prev_hash: str = ""
    hash: str = ""
    acs_digest: str = ""
    """Digest of the active contract set after this transaction (``ledger.engine.chain.acs_digest``): part of
    the hashed body, so the contracts table is checked against the chain when the ledger opens. ``""`` in logs
    written before it existed (not in their bodies then)."""

    def body(self) -> JsonDict:
        extra: JsonDict = {"acs_digest": self.acs_digest} if self.acs_digest else {}
        return {
            "transaction_id": self.transaction_id,
            "command_id": self.command_id,
            "application_id": self.application_id,
            "workflow_id": self.workflow_id,
            "act_as": list(self.act_as),
            "offset": self.offset,
            "effective_at": self.effective_at,
            "events": [e.to_json() for e in self.events],
            "root_event_ids": list(self.root_event_ids),
            **extra,
        }

    @classmethod
    def from_body(cls, body: JsonDict, prev_hash: str, hash_: str) -> Transaction:
        return cls(
            transaction_id=body["transaction_id"],
            command_id=body["command_id"],
            application_id=body["application_id"],
            workflow_id=body["workflow_id"],
            act_as=tuple(body["act_as"]),
            offset=body["offset"],
            effective_at=body["effective_at"],
            events=tuple(event_from_json(e) for e in body["events"]),
            root_event_ids=tuple(body["root_event_ids"]),
            prev_hash=prev_hash,
            hash=hash_,
            acs_digest=body.get("acs_digest", ""),
        )

    def event(self, event_id: str) -> TreeEvent:
        for e in self.events:
            if e.event_id == event_id:
                return e
        raise KeyError(event_id)

    @property
    def created(self) -> tuple[CreatedEvent, ...]:
        return tuple(e for e in self.events if isinstance(e, CreatedEvent))

    @property
    def exercise_results(self) -> tuple[Any, ...]:
        """Result of each root exercise, in command order (for the JSON API's ``exerciseResult``)."""
        results = []
        for root in self.root_event_ids:
            event = self.event(root)
            if isinstance(event, ExercisedEvent):
                results.append(event.exercise_result)
        return tuple(results)

    def flat_events(self, parties: frozenset[str] | set[str] | None = None) -> list[FlatEvent]:
        """Creates and archives as the Ledger API's flat transaction shows them to ``parties`` (None: all);
        a contract created and archived in this same transaction (transient) appears in neither."""
        archived: dict[str, ExercisedEvent] = {
            e.contract_id: e for e in self.events if isinstance(e, ExercisedEvent) and e.consuming
        }
        created_here = {e.contract_id for e in self.events if isinstance(e, CreatedEvent)}
        out: list[FlatEvent] = []
        for e in self.events:
            if isinstance(e, CreatedEvent):
                if e.contract_id in archived:
                    continue
                stake = set(e.signatories) | set(e.observers)
                if parties is None or not stake.isdisjoint(parties):
                    seen = stake if parties is None else stake & set(parties)
                    out.append(
                        CreatedEvent(
                            e.event_id,
                            e.contract_id,
                            e.template_id,
                            e.payload,
                            e.signatories,
                            e.observers,
                            tuple(sorted(seen)),
                        )
                    )
            elif e.consuming and e.contract_id not in created_here:
                stake = set(e.witnesses)
                if parties is None or not stake.isdisjoint(parties):
                    seen = stake if parties is None else stake & set(parties)
                    out.append(ArchivedEvent(e.event_id, e.contract_id, e.template_id, tuple(sorted(seen))))
        return out

    def tree_events(self, parties: frozenset[str] | set[str] | None = None) -> list[TreeEvent]:
        """The tree's events some of ``parties`` witness (None: all), in pre-order."""
        if parties is None:
            return list(self.events)
        return [e for e in self.events if not set(e.witnesses).isdisjoint(parties)]

    def visible_to(self, parties: frozenset[str] | set[str]) -> bool:
        return any(not set(e.witnesses).isdisjoint(parties) for e in self.events)


@dataclass(frozen=True, slots=True)
class PartyDetails:
    party: str
    display_name: str
    is_local: bool = True


@dataclass(frozen=True, slots=True)
class PackageInfo:
    package_id: str
    size: int
    uploaded_at: str
    source: str = ""
    """Name of the DAR or DALF it came from (``""`` if none)."""
