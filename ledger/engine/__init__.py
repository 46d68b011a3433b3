"""The embedded DAML ledger engine: the model's templates, interpreted and persisted.

Public interface (everything importable from ``ledger.engine``)::

    ledger = await EmbeddedLedger.open("sqlite+aiosqlite:///var/ledger.db", ledger_id=None,
                                       model_package_id=MODEL_FINGERPRINT)
    ledger.ledger_id                       # str, fixed at first start, kept across restarts
    ledger.model_package_id                # package id the model's templates are reported under
    ledger.model                           # Model: .templates (TemplateDef...), .records (RecordDef...)
    ledger.template_ids() -> list[TemplateId]
    ledger.resolve_template(TemplateId) -> (TemplateId as recorded, TemplateDef)
        # package id "" (-> model_package_id), the model's, or one in ledger.package_templates (kept as given)

    await ledger.allocate_party(hint=None, display_name=None) -> PartyDetails    # PartyExists if taken
    await ledger.ensure_party(party, display_name=None) -> PartyDetails          # idempotent
    await ledger.list_parties() -> list[PartyDetails];  await ledger.get_parties([...])

    await ledger.submit(command_id, application_id, act_as, commands, read_as=(), workflow_id="",
                        deduplication_period=None | DedupDuration(seconds) | DedupOffset(offset))
        -> Transaction                     # one atomic transaction, one new offset
        commands: CreateCommand(template_id, arguments) | ExerciseCommand(template_id, contract_id, choice,
                  argument) | CreateAndExerciseCommand(template_id, arguments, choice, argument)
                  | ExerciseByKeyCommand(template_id, key, choice, argument)
        dedup (Daml 2.x, ledger.engine.dedup): the same (application_id, command_id, set(act_as)) accepted
        within the period (default and maximum: ``max_deduplication_seconds`` of open(), 7 days) raises
        DuplicateCommand (gRPC ALREADY_EXISTS, HTTP 409; .offset/.transaction_id of the accepted one); a
        longer period raises InvalidDeduplicationPeriod (FAILED_PRECONDITION, 400).
    await ledger.submit_ex(...) -> (Transaction, duplicate: bool)   # a duplicate returns the ORIGINAL tx

    await ledger.active_contracts(parties, template_ids=None) -> (list[Contract], offset)
    await ledger.fetch(contract_id, parties) -> Contract            # ContractNotFound if not visible/active
    await ledger.fetch_by_key(template_id, key, parties) -> Contract  # else ContractKeyNotFound
    await ledger.transactions(parties | None, begin_offset=0, end_offset=None) -> list[Transaction]
        # begin exclusive, end inclusive; tx.flat_events(parties) (creates+archives, transients dropped)
        # and tx.tree_events(parties) give the per-party views; tx.exercise_results for root exercises
    async for tx in ledger.iter_transactions(parties | None, begin_offset=0, end_offset=None, page_size=500)
        # the same, read from storage page by page (the log is not held in memory); use this for streams
    await ledger.transaction_by_id(transaction_id) -> Transaction | None
    await ledger.ledger_end() -> int       # 0 = empty ledger; offsets are 1, 2, 3, ...
    await ledger.wait_for_change(after_offset, timeout=None) -> int   # for streaming endpoints
    await ledger.upload_package(package_id, payload: bytes, source="") -> PackageInfo   # opaque, idempotent
        # (uploads from clients go through ledger.packages.upload_dar, which validates them first)
    ledger.hide_package(package_id)        # stop listing/serving a stored package (ledger.packages, at start)
    await ledger.list_packages() -> list[str];  await ledger.get_package(id) -> bytes;  package_infos()
    await ledger.verify_chain() -> int     # re-reads the stored log; ChainBroken if altered
    await ledger.verify() -> VerifyReport  # the chain AND the contracts table vs the log (lso ledger verify)
    ledger.chain_head; ledger.memory_stats()   # open() refuses a store whose chain head does not verify
    await ledger.close()

Values (``ledger.engine.values``): records are dicts, Party/Text/ContractId str, Int64 int, Numeric a
canonical
decimal str ("12.5"), Date "YYYY-MM-DD", Timestamp "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", Optional None|value,
lists lists, Unit {}. Inputs are normalised (Int64 may come as str, Numeric as int/str/Decimal).

Rules enforced: create needs every signatory in act_as; exercise needs every controller in act_as and the
contract visible (a stakeholder) to act_as | read_as; contracts a choice creates must have their signatories
among the exercised contract's signatories | the controllers; consuming choices archive; the ``ensure`` clause
(``TemplateDef.ensure`` rules, else TemplatePreconditionViolated) holds; a choice's body
(``ChoiceDef.body``: Python steps over ``this``, the argument, ledger time and fetch-by-key) creates what it
answers or refuses with UnhandledException (its ``assertMsg`` words); every party named must be allocated;
contract keys
(``TemplateDef.key``, ``ledger.engine.keys``): at most one active contract per template and key (else
DuplicateContractKey), maintainers are signatories, by-key lookups find only contracts a reader is a
stakeholder of. Reads show only contracts and
events whose stakeholders/witnesses include a reading party. Each transaction is one database transaction;
the log is append-only and hash-chained: ``hash = sha256(prev_hash + canonical JSON of tx.body())``, genesis
prev_hash "0"*64.

Errors (``ledger.engine.errors``), each with ``grpc_status`` and ``http_status``: ValidationError (+
UnknownTemplate, UnknownChoice, TemplatePreconditionViolated), AuthorizationError (+ DamlAuthorizationError),
UnhandledException, ContractNotFound (+ ContractKeyNotFound), PackageNotFound, PartyExists,
DuplicateContractKey.
Ledger time: ``ledger.clock`` (``ledger.engine.clock``: ``open(time_mode="wall"|"static")``); party ids:
``open(party_ids="hint"|"canton")`` (``ledger.engine.party_ids``).

Offsets on the wire: :func:`format_offset` / :func:`parse_offset` (16 hex digits, so they sort as strings;
"" is the ledger begin).
"""

from __future__ import annotations

from ledger.engine.clock import LedgerClock, TimeMode
from ledger.engine.dedup import DedupDuration, DeduplicationPeriod, DedupOffset
from ledger.engine.errors import (
    AuthorizationError,
    ContractKeyNotFound,
    ContractNotFound,
    DamlAuthorizationError,
    DuplicateCommand,
    DuplicateContractKey,
    InvalidDeduplicationPeriod,
    LedgerError,
    PackageNotFound,
    PartyExists,
    TemplatePreconditionViolated,
    UnhandledException,
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
    ExerciseByKeyCommand,
    ExerciseCommand,
    ExercisedEvent,
    FlatEvent,
    PackageInfo,
    PartyDetails,
    TemplateId,
    Transaction,
    TreeEvent,
)
from ledger.engine.offsets import format_offset, parse_offset
from ledger.engine.party_ids import PartyIdMode
from ledger.engine.templates import (
    MODEL,
    MODEL_FINGERPRINT,
    MODULE,
    ChoiceBody,
    ChoiceContext,
    ChoiceDef,
    EnsureRule,
    FieldDef,
    KeyDef,
    Model,
    NewContract,
    RecordDef,
    TemplateDef,
)
from ledger.engine.verify import VerifyReport

__all__ = [
    "GENESIS_HASH",
    "MODEL",
    "MODEL_FINGERPRINT",
    "MODULE",
    "ArchivedEvent",
    "AuthorizationError",
    "ChainBroken",
    "ChoiceBody",
    "ChoiceContext",
    "ChoiceDef",
    "Command",
    "Contract",
    "ContractKeyNotFound",
    "ContractNotFound",
    "CreateAndExerciseCommand",
    "CreateCommand",
    "CreatedEvent",
    "DamlAuthorizationError",
    "DedupDuration",
    "DedupOffset",
    "DeduplicationPeriod",
    "DuplicateCommand",
    "DuplicateContractKey",
    "EmbeddedLedger",
    "EnsureRule",
    "ExerciseByKeyCommand",
    "ExerciseCommand",
    "ExercisedEvent",
    "FieldDef",
    "FlatEvent",
    "InvalidDeduplicationPeriod",
    "KeyDef",
    "LedgerClock",
    "LedgerError",
    "Model",
    "NewContract",
    "PackageInfo",
    "PackageNotFound",
    "PartyDetails",
    "PartyExists",
    "PartyIdMode",
    "RecordDef",
    "TemplateDef",
    "TemplateId",
    "TemplatePreconditionViolated",
    "TimeMode",
    "Transaction",
    "TreeEvent",
    "UnhandledException",
    "UnknownChoice",
    "UnknownTemplate",
    "ValidationError",
    "VerifyReport",
    "chain_hash",
    "format_offset",
    "parse_offset",
]
