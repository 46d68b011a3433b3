"""Engine commands, events and transactions <-> their Ledger API v1 protobuf messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dazl._gen.com.daml.ledger.api import v1 as lapi
from dazl._gen.com.daml.ledger.api.v1 import value_pb2 as v
from google.protobuf.timestamp_pb2 import Timestamp

from ledger.engine import format_offset
from ledger.engine import parse_offset as engine_parse_offset
from ledger.engine.errors import UnknownChoice, UnknownTemplate, ValidationError
from ledger.engine.keys import key_of
from ledger.engine.model import (
    ArchivedEvent,
    Command,
    CreateAndExerciseCommand,
    CreateCommand,
    CreatedEvent,
    ExerciseByKeyCommand,
    ExerciseCommand,
    ExercisedEvent,
    TemplateId,
    Transaction,
)
from ledger.engine.templates import MODEL, ChoiceDef, Model, TemplateDef
from ledger.engine.types import RecordRef
from ledger.grpc.values import ValueEncoder, record_to_engine, to_engine


def timestamp(text: str) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    return stamp


class Converter:
    """Converts between the engine and the Ledger API for one package id (``package_id``)."""

    def __init__(self, package_id: str, model: Model = MODEL) -> None:
        self.package_id = package_id
        self.model = model
        self.values = ValueEncoder(package_id, model)

    # -- identifiers ---------------------------------------------------------------------------

    def identifier(self, template_id: TemplateId) -> v.Identifier:
        """The template id as the contract was created: under the package id the client named."""
        return v.Identifier(
            package_id=template_id.package_id or self.package_id,
            module_name=template_id.module_name,
            entity_name=template_id.entity_name,
        )

    def template(self, identifier: v.Identifier) -> tuple[TemplateId, TemplateDef]:
        """The engine template id (resolved by name when it names our package) and its definition."""
        package = "" if identifier.package_id in ("", self.package_id) else identifier.package_id
        template_id = TemplateId(package, identifier.module_name, identifier.entity_name)
        try:
            return template_id, self.model.template(identifier.module_name, identifier.entity_name)
        except KeyError:
            raise UnknownTemplate(f"unknown template {template_id}") from None

    def choice(self, template: TemplateDef, name: str) -> ChoiceDef:
        try:
            return template.choice(name)
        except KeyError:
            raise UnknownChoice(f"{template.entity} has no choice {name!r}") from None

    # -- commands ------------------------------------------------------------------------------

    def _choice_argument(self, template: TemplateDef, choice: ChoiceDef, value: v.Value) -> dict[str, object]:
        if value.WhichOneof("Sum") is None:
            return record_to_engine(v.Record(), choice.argument, self.model, choice.name)
        if value.WhichOneof("Sum") != "record":
            raise ValidationError(f"{choice.name}: the choice argument must be a record")
        return record_to_engine(value.record, choice.argument, self.model, choice.name)

    def command(self, command: lapi.Command) -> Command:
        kind = command.WhichOneof("command")
        if kind == "create":
            template_id, template = self.template(command.create.template_id)
            payload = record_to_engine(
                command.create.create_arguments, template.fields, self.model, template.entity
            )
            return CreateCommand(template_id, payload)
        if kind == "exercise":
            template_id, template = self.template(command.exercise.template_id)
            choice = self.choice(template, command.exercise.choice)
            argument = self._choice_argument(template, choice, command.exercise.choice_argument)
            return ExerciseCommand(template_id, command.exercise.contract_id, choice.name, argument)
        if kind == "createAndExercise":
            cae = command.createAndExercise
            template_id, template = self.template(cae.template_id)
            payload = record_to_engine(cae.create_arguments, template.fields, self.model, template.entity)
            choice = self.choice(template, cae.choice)
            argument = self._choice_argument(template, choice, cae.choice_argument)
            return CreateAndExerciseCommand(template_id, payload, choice.name, argument)
        if kind == "exerciseByKey":
            ebk = command.exerciseByKey
            template_id, template = self.template(ebk.template_id)
            if template.key is None:
                raise ValidationError(f"template {template.entity} has no contract key")
            key = to_engine(
                ebk.contract_key, RecordRef(template.module, template.key.record), self.model, "contract_key"
            )
            choice = self.choice(template, ebk.choice)
            argument = self._choice_argument(template, choice, ebk.choice_argument)
            return ExerciseByKeyCommand(template_id, dict_value(key), choice.name, argument)
        raise ValidationError(f"unsupported command {kind!r}")

    # -- events --------------------------------------------------------------------------------

    def created(
        self, event: CreatedEvent, witnesses: Iterable[str], created_at: str | None = None
    ) -> lapi.CreatedEvent:
        template = self.model.template(event.template_id.module_name, event.template_id.entity_name)
        message = lapi.CreatedEvent(
            event_id=event.event_id,
            contract_id=event.contract_id,
            template_id=self.identifier(event.template_id),
            create_arguments=self.values.record(
                event.payload, template.module, template.entity, template.fields
            ),
            witness_parties=sorted(witnesses),
            signatories=list(event.signatories),
            observers=list(event.observers),
        )
        message.agreement_text.value = ""
        key = key_of(template, event.payload)
        if key is not None and template.key is not None:
            key_type = RecordRef(template.module, template.key.record)
            message.contract_key.CopyFrom(self.values.value(key, key_type))
        if created_at:
            message.created_at.CopyFrom(timestamp(created_at))
        return message

    def archived(self, event: ArchivedEvent) -> lapi.ArchivedEvent:
        return lapi.ArchivedEvent(
            event_id=event.event_id,
            contract_id=event.contract_id,
            template_id=self.identifier(event.template_id),
            witness_parties=list(event.witnesses),
        )

    def exercised(
        self, event: ExercisedEvent, witnesses: Iterable[str], visible: set[str]
    ) -> lapi.ExercisedEvent:
        template = self.model.template(event.template_id.module_name, event.template_id.entity_name)
        choice = template.choice(event.choice)
        return lapi.ExercisedEvent(
            event_id=event.event_id,
            contract_id=event.contract_id,
            template_id=self.identifier(event.template_id),
            choice=event.choice,
            choice_argument=v.Value(
                record=self.values.record(event.argument, template.module, choice.name, choice.argument)
            ),
            acting_parties=list(event.acting_parties),
            consuming=event.consuming,
            witness_parties=sorted(witnesses),
            child_event_ids=[c for c in event.child_event_ids if c in visible],
            exercise_result=self.values.value(event.exercise_result, choice.result),
        )

    # -- transactions --------------------------------------------------------------------------

    def flat(
        self, tx: Transaction, parties: set[str] | None, templates: set[str] | None = None
    ) -> lapi.Transaction:
        """The flat transaction ``parties`` see (None: every party), optionally only some templates."""
        events = []
        for event in tx.flat_events(parties):
            if templates is not None and event.template_id.qualified_name not in templates:
                continue
            if isinstance(event, CreatedEvent):
                events.append(lapi.Event(created=self.created(event, event.witnesses, tx.effective_at)))
            else:
                events.append(lapi.Event(archived=self.archived(event)))
        return lapi.Transaction(
            transaction_id=tx.transaction_id,
            command_id=tx.command_id,
            workflow_id=tx.workflow_id,
            effective_at=timestamp(tx.effective_at),
            events=events,
            offset=offset_text(tx.offset),
        )

    def tree(self, tx: Transaction, parties: set[str] | None) -> lapi.TransactionTree:
        """The transaction tree ``parties`` see (None: every party)."""
        visible = tx.tree_events(parties)
        visible_ids = {e.event_id for e in visible}
        by_id: dict[str, lapi.TreeEvent] = {}
        for event in visible:
            seen = set(event.witnesses) if parties is None else set(event.witnesses) & parties
            if isinstance(event, CreatedEvent):
                by_id[event.event_id] = lapi.TreeEvent(created=self.created(event, seen, tx.effective_at))
            else:
                by_id[event.event_id] = lapi.TreeEvent(exercised=self.exercised(event, seen, visible_ids))
        children = {
            c for e in visible if isinstance(e, ExercisedEvent) for c in e.child_event_ids if c in visible_ids
        }
        roots = [e.event_id for e in visible if e.event_id not in children]
        tree = lapi.TransactionTree(
            transaction_id=tx.transaction_id,
            command_id=tx.command_id,
            workflow_id=tx.workflow_id,
            effective_at=timestamp(tx.effective_at),
            offset=offset_text(tx.offset),
            root_event_ids=roots,
        )
        for event_id, tree_event in by_id.items():
            tree.events_by_id[event_id].CopyFrom(tree_event)
        return tree


def dict_value(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValidationError("contract_key: expected a record")
    return value


def offset_text(offset: int) -> str:
    """The wire form of an offset, the same as the JSON API's (16 hex digits; ``""`` for the ledger begin)."""
    return format_offset(offset)


def parse_offset(text: str) -> int:
    value = engine_parse_offset(text)
    if value < 0:
        raise ValidationError(f"offset {text!r} is negative")
    return value
