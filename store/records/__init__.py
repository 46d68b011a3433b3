"""Plain pydantic records the repositories take and return (never ORM objects)."""

from __future__ import annotations

from store.records.acl import AclMessageRecord, NewAclMessage
from store.records.agreements import AgreementRecord, NewAgreement
from store.records.base import Json, JsonList, JsonObject, NewRecord, Record, jsonable
from store.records.billing import InvoiceRecord, NewInvoice, NewPayment, PaymentRecord
from store.records.bindings import BindingRecord, NewBinding, normalise_jid
from store.records.bookings import NewSupplierBooking, SupplierBookingRecord, SupplierBookingState
from store.records.clients import ApiClientCredentials, ApiClientRecord, NewApiClient
from store.records.ledger_identities import LedgerIdentityRecord, NewLedgerIdentity
from store.records.negotiations import NegotiationState
from store.records.orders import InvoiceWithPayment, NewOrder, OrderDetail, OrderRecord, StatusChange
from store.records.policies import PolicyRecord
from store.records.products import NewProduct, ProductRecord
from store.records.tokens import RevokedToken
from store.records.uploads import NewUpload, UploadRecord
from store.records.users import NewUser, UserCredentials, UserRecord, normalise_email

__all__ = [
    "AclMessageRecord",
    "AgreementRecord",
    "ApiClientCredentials",
    "ApiClientRecord",
    "BindingRecord",
    "InvoiceRecord",
    "InvoiceWithPayment",
    "Json",
    "JsonList",
    "JsonObject",
    "LedgerIdentityRecord",
    "NegotiationState",
    "NewAclMessage",
    "NewAgreement",
    "NewApiClient",
    "NewBinding",
    "NewInvoice",
    "NewLedgerIdentity",
    "NewOrder",
    "NewPayment",
    "NewProduct",
    "NewRecord",
    "NewSupplierBooking",
    "NewUpload",
    "NewUser",
    "OrderDetail",
    "OrderRecord",
    "PaymentRecord",
    "PolicyRecord",
    "ProductRecord",
    "Record",
    "RevokedToken",
    "StatusChange",
    "SupplierBookingRecord",
    "SupplierBookingState",
    "UploadRecord",
    "UserCredentials",
    "UserRecord",
    "jsonable",
    "normalise_email",
    "normalise_jid",
]
