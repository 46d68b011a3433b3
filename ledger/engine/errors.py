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
=====================  ==========================  ======================
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of the embedded ledger's errors; ``code`` is a short machine-readable name."""

    code = "LEDGER_ERROR"
    grpc_status = "INTERNAL"
    http_status = 500


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
