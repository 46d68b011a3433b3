"""The embedded DAML ledger engine: the model's templates, interpreted and persisted.

Public interface (everything importable from ``ledger.engine``)::

    ledger = await EmbeddedLedger.open("sqlite+aiosqlite:///var/ledger.db", ledger_id=None,
                                       model_package_id=MODEL_FINGERPRINT)
    ledger.ledger_id                       # str, fixed at first start, kept across restarts
    ledger.model_package_id                # package id the model's templates are reported under
    ledger.model                           # Model: .templates (TemplateDef...), .records (RecordDef...)
    ledger.template_ids() -> list[TemplateId]
    ledger.resolve_template(TemplateId) -> (TemplateId canonical, TemplateDef)   # "" / any stored pkg id ok

    await ledger.allocate_party(hint=None, display_name=None) -> PartyDetails    # PartyExists if taken
    await ledger.ensure_party(party, display_name=None) -> PartyDetails          # idempotent
    await ledger.list_parties() -> list[PartyDetails];  await ledger.get_parties([...])

    await ledger.submit(command_id, application_id, act_as, commands, read_as=(), workflow_id="")
        -> Transaction                     # one atomic transaction, one new offset
    await ledger.submit_ex(...) -> (Transaction, duplicate: bool)
        commands: CreateCommand(template_id, arguments) | ExerciseCommand(template_id, contract_id, choice,
                  argument) | CreateAndExerciseCommand(template_id, arguments, choice, argument)
        dedup: the same (application_id, command_id, set(act_as)) returns the ORIGINAL transaction, no effect.

    await ledger.active_contracts(parties, template_ids=None) -> (list[Contract], offset)
    await ledger.fetch(contract_id, parties) -> Contract            # ContractNotFound if not visible/active
    await ledger.transactions(parties | None, begin_offset=0, end_offset=None) -> list[Transaction]
        # begin exclusive, end inclusive; tx.flat_events(parties) (creates+archives, transients dropped)
        # and tx.tree_events(parties) give the per-party views; tx.exercise_results for root exercises
    await ledger.transaction_by_id(transaction_id) -> Transaction | None
    await ledger.ledger_end() -> int       # 0 = empty ledger; offsets are 1, 2, 3, ...
    await ledger.wait_for_change(after_offset, timeout=None) -> int   # for streaming endpoints
    await ledger.upload_package(package_id, payload: bytes, source="") -> PackageInfo   # opaque, idempotent
    await ledger.list_packages() -> list[str];  await ledger.get_package(id) -> bytes;  package_infos()
    await ledger.verify_chain() -> int     # re-reads the stored log; ChainBroken if altered
    await ledger.close()

Values (``ledger.engine.values``): records are dicts, Party/Text/ContractId str, Int64 int, Numeric a
canonical
decimal str ("12.5"), Date "YYYY-MM-DD", Timestamp "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", Optional None|value,
lists lists, Unit {}. Inputs are normalised (Int64 may come as str, Numeric as int/str/Decimal).

Rules enforced: create needs every signatory in act_as; exercise needs every controller in act_as and the
contract visible (a stakeholder) to act_as | read_as; contracts a choice creates must have their signatories
among the exercised contract's signatories | the controllers; consuming choices archive; the ``ensure`` clause
(``TemplateDef.ensure_positive``) holds; every party named must be allocated. Reads show only contracts and
events whose stakeholders/witnesses include a reading party. Each transaction is one database transaction;
the log is append-only and hash-chained: ``hash = sha256(prev_hash + canonical JSON of tx.body())``, genesis
prev_hash "0"*64.

Errors (``ledger.engine.errors``), each with ``grpc_status`` and ``http_status``: ValidationError (+
UnknownTemplate, UnknownChoice), AuthorizationError, ContractNotFound, PackageNotFound, PartyExists.

Offsets on the wire: :func:`format_offset` / :func:`parse_offset` (16 hex digits, so they sort as strings;
"" is the ledger begin).
"""

from __future__ import annotations

from ledger.engine.errors import (
    AuthorizationError,
    ContractNotFound,
    LedgerError,
    PackageNotFound,
    PartyExists,
    UnknownChoice,
    UnknownTemplate,
    ValidationError,
)
from ledger.engine.ledger import GENESIS_HASH, ChainBroken, EmbeddedLedger, chain_hash
from ledger.engine.model import (
    ArchivedEvent,
    Command,
    Contract,
    CreateAndExerciseCommand,
    CreateCommand,
    CreatedEvent,
    ExerciseCommand,
    ExercisedEvent,
    FlatEvent,
    PackageInfo,
    PartyDetails,
    TemplateId,
    Transaction,
    TreeEvent,
)
from ledger.engine.templates import (
    MODEL,
    MODEL_FINGERPRINT,
    MODULE,
    ChoiceDef,
    FieldDef,
    Model,
    RecordDef,
    TemplateDef,
)


def format_offset(offset: int) -> str:
    """The wire form of an offset: 16 lowercase hex digits ("" for the ledger begin, offset 0)."""
    return "" if offset <= 0 else f"{offset:016x}"


def parse_offset(text: str) -> int:
    """Inverse of :func:`format_offset`; raises :class:`ValidationError` on a malformed offset."""
    if not text:
        return 0
    try:
        return int(text, 16)
    except ValueError:
        raise ValidationError(f"malformed offset {text!r}") from None


__all__ = [
    "GENESIS_HASH",
    "MODEL",
    "MODEL_FINGERPRINT",
    "MODULE",
    "ArchivedEvent",
    "AuthorizationError",
    "ChainBroken",
    "ChoiceDef",
    "Command",
    "Contract",
    "ContractNotFound",
    "CreateAndExerciseCommand",
    "CreateCommand",
    "CreatedEvent",
    "EmbeddedLedger",
    "ExerciseCommand",
    "ExercisedEvent",
    "FieldDef",
    "FlatEvent",
    "LedgerError",
    "Model",
    "PackageInfo",
    "PackageNotFound",
    "PartyDetails",
    "PartyExists",
    "RecordDef",
    "TemplateDef",
    "TemplateId",
    "Transaction",
    "TreeEvent",
    "UnknownChoice",
    "UnknownTemplate",
    "ValidationError",
    "chain_hash",
    "format_offset",
    "parse_offset",
]
