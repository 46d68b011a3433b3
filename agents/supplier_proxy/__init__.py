"""Supplier-proxy agents: one per external supplier, many hosted by one SPADE agent.

A proxy represents one supplier (:class:`ontology.supplier.Supplier`, its price models from the
federation data set, :class:`federation.pricing.PriceModel`, and a
:class:`ontology.policy.SupplierPolicy` naming its strategy) as an Iterated Contract Net
participant: it answers a ``cfp`` (:class:`ontology.negotiation.CallForProposals`) with ``propose``
(an :class:`ontology.negotiation.Offer` from its strategy, :mod:`agents.negotiation`) or ``refuse``
(:class:`ontology.common.Reason`, codes in :mod:`agents.supplier_proxy.reasons`: process, material,
quality or currency not supported, ``cannot-meet-date``, ``capacity``); answers revised cfps
(``round`` > 1, ``target_price`` = the buyer's counter) with conceded offers or the target itself
when its strategy accepts it; and on ``accept-proposal`` books the work and sends ``inform`` with the
accepted Offer (or ``failure`` when made with ``fail_after_accept``). A ``silent`` proxy never answers.

Only agents the store binds as ``manufacturer`` are answered (anyone else: ``refuse`` ``not-authorised``).
A booking is held until the store shows a contract with the offer, and released when the order is gone,
ended or contracted without it, or when ``LSO_SUPPLIERS_BOOKING_HOLD_SECONDS`` passed; one requester may
hold at most ``LSO_SUPPLIERS_MAX_REQUESTER_SHARE`` of a supplier's capacity (``capacity-share``). See
:mod:`agents.supplier_proxy.host`, :mod:`.bookings`, :mod:`.booking_check` and :mod:`.settings`.

Once an order is contracted on the ledger (model v2), the manufacturer asks each supplier's proxy to sign its
supply proposal (FIPA ``request`` :class:`ontology.lifecycle.SignSupply`): the proxy signs it with its
supplier's own ledger session when it is what it offered (``inform`` ``SupplySigned``), else rejects it in
words (``failure``); then it ships, invoices and confirms the manufacturer's payment claim, resuming from the
ledger after a restart. See :mod:`.signing`, :mod:`.supply_terms`, :mod:`.fulfilment`, :mod:`.sessions`; the
host's ``ledger`` parameter gives the sessions (none: a simulation, nothing is signed).

Usage (manufacturer side or tests)::

    host = ProxyHost("suppliers", settings)            # one XMPP account (an admin creates it) for all
    aid = host.add(supplier, policy, price_models)     # "suppliers@localhost/SUP-0001"
    aid2 = host.add_record(record)                     # from federation.dataset (default policy)
    await host.ensure_started()                        # connects once, on demand
    ... IteratedContractNetInitiator(...).start(cfp, [aid, aid2], ...) from any PlatformAgent ...
    host.remove(aid); await host.stop()

The proxy's agent identifier is a full JID (``host@domain/<supplier-id>``): see
:mod:`agents.supplier_proxy.host` for why and how it travels (protocols.wire ``intended-receiver``
and ``sender``). Without a network, :class:`ProxyConversation` drives the same decisions over the
sans-IO machines, and :class:`SupplierProxy` holds them (``answer(cfp)``, ``confirm(offer)``).
"""

from agents.supplier_proxy.conversation import ProxyConversation
from agents.supplier_proxy.host import ProxyHost
from agents.supplier_proxy.proxy import OFFER_VALIDITY, SupplierProxy
from agents.supplier_proxy.records import default_policy, price_models_of
from agents.supplier_proxy.settings import SupplierProxySettings

__all__ = [
    "OFFER_VALIDITY",
    "ProxyConversation",
    "ProxyHost",
    "SupplierProxy",
    "SupplierProxySettings",
    "default_policy",
    "price_models_of",
]
