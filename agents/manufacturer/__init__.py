"""The manufacturer's agent: policy, production-time estimate, sourcing, quotation, contract, billing.

Modules: :mod:`.estimate` (production time, feasibility), :mod:`.order_estimate` (the price range and
delivery dates shown before ordering), :mod:`.assessment` (take the order or
not), :mod:`.selection` (rank supplier offers, next target; the pluggable scorer), :mod:`.scoring`
(the default scorer over :mod:`agents.negotiation`), :mod:`.sourcing` (Iterated Contract
Net per part), :mod:`.pricing` (quotation, counters), :mod:`.contracting` (the pluggable contract
step), :mod:`.ledger_contract` (the contract step on the ledger, as the manufacturer itself),
:mod:`.ledger_life` (the order's life on the ledger after its contract), :mod:`.journal`
(persistence), :mod:`.flow` (one order end to end), :mod:`.recovery` (after a restart),
:mod:`.agent` (the SPADE agent), ``python -m agents.manufacturer`` (entry point).
"""
