"""Typed errors of the embedded ledger; the servers map each to their protocol's error.

=====================  ==========================  ======================
error                  gRPC status                 JSON API status
=====================  ==========================  ======================
ValidationError        INVALID_ARGUMENT            400
UnknownTemplate        INVALID_ARGUMENT            400
UnknownChoice          INVALID_ARGUMENT            400
AuthorizationError     PERMISSION_DENIED           403 (actAs lacks a signatory/controller)
ContractNotFound       NOT_FOUND                   404
PartyExists            ALREADY_EXISTS              409
PackageNotFound        NOT_FOUND                   404
DuplicateContractKey   ALREADY_EXISTS              409 (Daml's DUPLICATE_CONTRACT_KEY)
ContractKeyNotFound    NOT_FOUND                   404 (Daml's CONTRACT_KEY_NOT_FOUND)
ContractIdNotFound     NOT_FOUND                   404 (Daml's CONTRACT_NOT_FOUND: unknown/archived/hidden)
DamlAuthorization-     INVALID_ARGUMENT            400 (Daml's DAML_AUTHORIZATION_ERROR: a signatory or
Error                                              controller is not among the authorizers of a command)
TemplatePrecondition-  INVALID_ARGUMENT            400 (Daml's TEMPLATE_PRECONDITION_VIOLATED: an ``ensure``
Violated                                           rule of the model is false)
UnhandledException     FAILED_PRECONDITION         400 (Daml's UNHANDLED_EXCEPTION: a choice's ``assertMsg``
                                                   failed; the message is the assert's words)
DuplicateCommand       ALREADY_EXISTS              409 (Daml's DUPLICATE_COMMAND)
InvalidDeduplication-  FAILED_PRECONDITION         400 (Daml's INVALID_DEDUPLICATION_PERIOD)
Period
=====================  ==========================  ======================

:meth:`LedgerError.json_body` is the JSON API v1 error envelope (``{"status", "errors"}``, plus Daml's
``ledgerApiError`` for the errors Daml reports with an error code).
"""

from __future__ import annotations

import secrets
from typing import Any

_GRPC_CODES = {"INVALID_ARGUMENT": 3, "NOT_FOUND": 5, "ALREADY_EXISTS": 6, "FAILED_PRECONDITION": 9}


class LedgerError(Exception):
    """Base of the embedded ledger's errors; ``code`` is a short machine-readable name."""

    code = "LEDGER_ERROR"
    grpc_status = "INTERNAL"
    http_status = 500

    def json_body(self) -> dict[str, Any]:
        """The JSON API v1 error envelope of this error."""
        return {"status": self.http_status, "errors": [str(self)]}


class ValidationError(LedgerError):
    code = "INVALID_ARGUMENT"
    grpc_status = "INVALID_ARGUMENT"
    http_status = 400


class UnknownTemplate(ValidationError):
    code = "UNKNOWN_TEMPLATE"


class UnknownChoice(ValidationError):
    code = "UNKNOWN_CHOICE"


class AuthorizationError(LedgerError):
    code = "PERMISSION_DENIED"
    grpc_status = "PERMISSION_DENIED"
    http_status = 403


class ContractNotFound(LedgerError):
    """Unknown contract, archived contract, or a contract none of the reading parties may see."""

    code = "CONTRACT_NOT_FOUND"
    grpc_status = "NOT_FOUND"
    http_status = 404


class PackageNotFound(LedgerError):
    code = "PACKAGE_NOT_FOUND"
    grpc_status = "NOT_FOUND"
    http_status = 404


class PartyExists(LedgerError):
    code = "PARTY_ALREADY_EXISTS"
    grpc_status = "ALREADY_EXISTS"
    http_status = 409


class DamlCodedError(LedgerError):
    """An error Daml 2.x reports with a self-service error code: ``CODE(category,correlation): cause``.

    ``str()`` is that text (what a Daml participant puts in the gRPC status message); ``metadata`` goes into
    the JSON API's ``ledgerApiError`` details (Daml's ``ErrorInfoDetail``)."""

    category = 0

    def __init__(self, cause: str, metadata: dict[str, str] | None = None) -> None:
        self.cause = cause
        self.correlation_id = secrets.token_hex(4)
        self.metadata = dict(metadata or {})
        super().__init__(f"{self.code}({self.category},{self.correlation_id}): {cause}")

    def json_body(self) -> dict[str, Any]:
        # Daml's JSON API: errors = ["<gRPC status>: <message>"], ledgerApiError = {code, message, details}
        metadata = {"category": str(self.category), "definite_answer": "false", **self.metadata}
        return {
            "status": self.http_status,
            "errors": [f"{self.grpc_status}: {self}"],
            "ledgerApiError": {
                "code": _GRPC_CODES.get(self.grpc_status, 13),
                "message": str(self),
                "details": [
                    {"ErrorInfoDetail": {"reason": self.code, "metadata": metadata}},
                    {"RequestInfoDetail": {"requestId": self.correlation_id}},
                ],
            },
        }


class InvalidIndependentOfSystemState(DamlCodedError, ValidationError):
    """A request Daml refuses whatever the ledger's state (category 8, InvalidIndependentOfSystemState),
    e.g. an uploaded package: gRPC INVALID_ARGUMENT, 400."""

    category = 8
    grpc_status = "INVALID_ARGUMENT"
    http_status = 400


class DuplicateCommand(DamlCodedError):
    """A command with the same change id (application id, command id, act_as set) was accepted within the
    deduplication period. ``offset``/``transaction_id``: the accepted command's transaction."""

    code = "DUPLICATE_COMMAND"
    category = 10
    grpc_status = "ALREADY_EXISTS"
    http_status = 409

    def __init__(self, offset: int, transaction_id: str) -> None:
        self.offset = offset
        self.transaction_id = transaction_id
        super().__init__(
            "A command with the given command id has already been successfully processed",
            {"completion_offset": f"{offset:016x}", "existing_transaction_id": transaction_id},
        )


class InvalidDeduplicationPeriod(DamlCodedError):
    """The command's deduplication period is longer than the ledger's maximum (or starts before what the
    ledger still remembers)."""

    code = "INVALID_DEDUPLICATION_PERIOD"
    category = 9
    grpc_status = "FAILED_PRECONDITION"
    http_status = 400

    def __init__(self, reason: str, longest_seconds: float) -> None:
        self.longest_seconds = longest_seconds
        super().__init__(
            f"The submitted command had an invalid deduplication period: {reason}",
            {"longest_duration": iso_duration(longest_seconds)},
        )


def iso_duration(seconds: float) -> str:
    """The duration as Java's ``Duration.toString`` prints it (``PT168H``, ``PT1M30S``, ``PT0.5S``), which is
    how Daml reports deduplication periods."""
    millis = round(seconds * 1000)
    if millis == 0:
        return "PT0S"
    sign = "-" if millis < 0 else ""
    millis = abs(millis)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    text = "PT"
    if hours:
        text += f"{sign}{hours}H"
    if minutes:
        text += f"{sign}{minutes}M"
    if secs or ms:
        text += f"{sign}{secs}" + (f".{ms:03d}".rstrip("0") if ms else "") + "S"
    return text


class DuplicateContractKey(DamlCodedError):
    """A create whose contract key is already the key of an active contract of that template (Daml 2.x:
    ``DUPLICATE_CONTRACT_KEY``, category InvalidGivenCurrentSystemStateResourceExists)."""

    code = "DUPLICATE_CONTRACT_KEY"
    category = 10
    grpc_status = "ALREADY_EXISTS"
    http_status = 409


class ContractKeyNotFound(DamlCodedError, ContractNotFound):
    """No active contract with that key that the reading parties may see (Daml 2.x:
    ``CONTRACT_KEY_NOT_FOUND``, category InvalidGivenCurrentSystemStateResourceMissing); the same answer
    whether the key is unused or its contract hidden from the readers."""

    code = "CONTRACT_KEY_NOT_FOUND"
    category = 11
    grpc_status = "NOT_FOUND"
    http_status = 404


class ContractIdNotFound(DamlCodedError, ContractNotFound):
    """No active contract with that id that the acting/reading parties may see (Daml 2.x:
    ``CONTRACT_NOT_FOUND``, category InvalidGivenCurrentSystemStateResourceMissing): one answer whether the
    id is unknown, archived (stakeholder or not) or hidden from those parties."""

    code = "CONTRACT_NOT_FOUND"
    category = 11
    grpc_status = "NOT_FOUND"
    http_status = 404

    def __init__(self, contract_id: str) -> None:
        self.contract_id = contract_id
        super().__init__(f"Contract could not be found with id {contract_id}", {"CONTRACT_ID": contract_id})


class DamlAuthorizationError(DamlCodedError, AuthorizationError):
    """A create or exercise whose signatories or controllers are not all among the authorizers (Daml 2.x:
    ``DAML_AUTHORIZATION_ERROR``, category InvalidIndependentOfSystemState): gRPC INVALID_ARGUMENT, 400."""

    code = "DAML_AUTHORIZATION_ERROR"
    category = 8
    grpc_status = "INVALID_ARGUMENT"
    http_status = 400


class TemplatePreconditionViolated(DamlCodedError, ValidationError):
    """A contract whose template's ``ensure`` clause is false (Daml 2.x: ``TEMPLATE_PRECONDITION_VIOLATED``,
    category InvalidIndependentOfSystemState): gRPC INVALID_ARGUMENT, 400; nothing of the command is
    written."""

    code = "TEMPLATE_PRECONDITION_VIOLATED"
    category = 8
    grpc_status = "INVALID_ARGUMENT"
    http_status = 400


class UnhandledException(DamlCodedError):
    """A choice refused by one of its asserts (Daml's ``assertMsg``: an unhandled ``AssertionFailed``; Daml
    2.x: ``UNHANDLED_EXCEPTION``, category InvalidGivenCurrentSystemStateOther): gRPC FAILED_PRECONDITION,
    400. ``words`` is the assert's message; nothing of the command is written."""

    code = "UNHANDLED_EXCEPTION"
    category = 9
    grpc_status = "FAILED_PRECONDITION"
    http_status = 400

    def __init__(self, words: str) -> None:
        self.words = words
        super().__init__(
            f"Interpretation error: Error: Unhandled Daml exception: "
            f'DA.Exception.AssertionFailed:AssertionFailed@3f4deaf1{{ message = "{words}" }}',
            {"message": words},
        )
