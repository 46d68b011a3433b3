"""Repositories, one per aggregate. Each takes an ``AsyncSession`` and works in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from store.repositories.acl import AclMessageRepository
from store.repositories.agreements import AgreementRepository
from store.repositories.bindings import BindingRepository
from store.repositories.bookings import SupplierBookingRepository
from store.repositories.clients import ApiClientRepository
from store.repositories.invoices import InvoiceRepository
from store.repositories.ledger_identities import LedgerIdentityRepository
from store.repositories.negotiations import NegotiationRepository
from store.repositories.orders import OrderRepository
from store.repositories.payments import PaymentRepository
from store.repositories.policies import PolicyRepository
from store.repositories.products import ProductRepository
from store.repositories.tokens import RevokedTokenRepository
from store.repositories.uploads import UploadRepository
from store.repositories.users import UserRepository
from store.transitions import TransitionRule


class Repositories:
    """Every repository over one session (so over one transaction when used in a unit of work)."""

    def __init__(self, session: AsyncSession, order_rule: TransitionRule | None = None) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.products = ProductRepository(session)
        self.orders = OrderRepository(session, order_rule)
        self.acl = AclMessageRepository(session)
        self.negotiations = NegotiationRepository(session)
        self.agreements = AgreementRepository(session)
        self.invoices = InvoiceRepository(session)
        self.payments = PaymentRepository(session)
        self.policies = PolicyRepository(session)
        self.revoked_tokens = RevokedTokenRepository(session)
        self.api_clients = ApiClientRepository(session)
        self.bindings = BindingRepository(session)
        self.ledger_identities = LedgerIdentityRepository(session)
        self.uploads = UploadRepository(session)
        self.supplier_bookings = SupplierBookingRepository(session)


__all__ = [
    "AclMessageRepository",
    "AgreementRepository",
    "ApiClientRepository",
    "BindingRepository",
    "InvoiceRepository",
    "LedgerIdentityRepository",
    "NegotiationRepository",
    "OrderRepository",
    "PaymentRepository",
    "PolicyRepository",
    "ProductRepository",
    "Repositories",
    "RevokedTokenRepository",
    "SupplierBookingRepository",
    "UploadRepository",
    "UserRepository",
]
