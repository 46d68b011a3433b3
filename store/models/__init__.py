"""ORM models, one module per table group; importing this package registers every table on ``Base``."""

from __future__ import annotations

from store.models.acl import AclMessageRow
from store.models.agreements import AgreementRow
from store.models.base import Base
from store.models.billing import InvoiceRow, PaymentRow
from store.models.bindings import AgentBindingRow
from store.models.bookings import SupplierBookingRow
from store.models.clients import ApiClientRow
from store.models.ledger_identities import LedgerIdentityRow
from store.models.negotiations import NegotiationRow
from store.models.orders import OrderRow, OrderStatusHistoryRow
from store.models.policies import AgentPolicyRow
from store.models.products import ProductRow
from store.models.tokens import RevokedTokenRow
from store.models.uploads import UploadRow
from store.models.users import UserRow

metadata = Base.metadata

__all__ = [
    "AclMessageRow",
    "AgentBindingRow",
    "AgentPolicyRow",
    "AgreementRow",
    "ApiClientRow",
    "Base",
    "InvoiceRow",
    "LedgerIdentityRow",
    "NegotiationRow",
    "OrderRow",
    "OrderStatusHistoryRow",
    "PaymentRow",
    "ProductRow",
    "RevokedTokenRow",
    "SupplierBookingRow",
    "UploadRow",
    "UserRow",
    "metadata",
]
