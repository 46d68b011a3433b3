"""The domain the platform negotiates about, as pydantic models, and the content codec of ACL messages.

Importing the package registers every content type with the codec.
"""

from ontology.billing import (
    INVOICE_TRANSITIONS,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    InvoiceStatusChange,
    Payment,
    PaymentMethod,
)
from ontology.codec import (
    ONTOLOGY_NAME,
    ONTOLOGY_VERSION,
    Content,
    ContentError,
    decode,
    encode,
    register,
    registered_types,
)
from ontology.common import Done, Ping, Pong, Reason
from ontology.contract import (
    AgreementTerms,
    CommitAgreement,
    ContractCommitted,
    ContractItem,
    ContractKind,
    Party,
    PartyRole,
    Penalty,
    SupplyContractRef,
)
from ontology.customisation import (
    Customisation,
    CustomisationError,
    estimated_cost,
    estimated_machine_minutes,
    required_parts,
)
from ontology.matchmaking import FindSuppliers, PartCandidates, SupplierCandidates
from ontology.negotiation import (
    AcceptOffer,
    CallForProposals,
    Issue,
    IssueWeights,
    Offer,
    RejectOffer,
)
from ontology.network import Assignment, SupplyNetwork
from ontology.order import (
    ORDER_TRANSITIONS,
    Order,
    OrderStatus,
    OrderStatusChange,
    OrderStatusChanged,
    allowed_transitions,
    check_delivery_date,
    is_terminal,
)
from ontology.policy import (
    CustomerDecision,
    CustomerPolicy,
    ManufacturerPolicy,
    NegotiationStrategy,
    PartSplit,
    ReservationValues,
    SupplierPolicy,
)
from ontology.process import ProcessKind, QualityLevel
from ontology.product import Choice, Product, ProductOption, RequiredPart
from ontology.quotation import (
    AcceptQuotation,
    CounterOffer,
    DeclineQuotation,
    Quotation,
    QuotationLine,
)
from ontology.status import InvalidTransition, StatusChange, TransitionTable
from ontology.supplier import Capability, Location, Supplier
from ontology.values import utc_now

__all__ = [
    "INVOICE_TRANSITIONS",
    "ONTOLOGY_NAME",
    "ONTOLOGY_VERSION",
    "ORDER_TRANSITIONS",
    "AcceptOffer",
    "AcceptQuotation",
    "AgreementTerms",
    "Assignment",
    "CallForProposals",
    "Capability",
    "Choice",
    "CommitAgreement",
    "Content",
    "ContentError",
    "ContractCommitted",
    "ContractItem",
    "ContractKind",
    "CounterOffer",
    "CustomerDecision",
    "CustomerPolicy",
    "Customisation",
    "CustomisationError",
    "DeclineQuotation",
    "Done",
    "FindSuppliers",
    "InvalidTransition",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoiceStatusChange",
    "Issue",
    "IssueWeights",
    "Location",
    "ManufacturerPolicy",
    "NegotiationStrategy",
    "Offer",
    "Order",
    "OrderStatus",
    "OrderStatusChange",
    "OrderStatusChanged",
    "PartCandidates",
    "PartSplit",
    "Party",
    "PartyRole",
    "Payment",
    "PaymentMethod",
    "Penalty",
    "Ping",
    "Pong",
    "ProcessKind",
    "Product",
    "ProductOption",
    "QualityLevel",
    "Quotation",
    "QuotationLine",
    "Reason",
    "RejectOffer",
    "RequiredPart",
    "ReservationValues",
    "StatusChange",
    "Supplier",
    "SupplierCandidates",
    "SupplierPolicy",
    "SupplyContractRef",
    "SupplyNetwork",
    "TransitionTable",
    "allowed_transitions",
    "check_delivery_date",
    "decode",
    "encode",
    "estimated_cost",
    "estimated_machine_minutes",
    "is_terminal",
    "register",
    "registered_types",
    "required_parts",
    "utc_now",
]
