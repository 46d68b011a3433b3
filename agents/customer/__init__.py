"""The customer's agent: places orders, answers quotations (policy or external decisions), pays.

Modules: :mod:`.decisions` (decision sources), :mod:`.agent` (the SPADE agent), :mod:`.ledger_steps` (the
customer's own ledger steps), :mod:`.journal` (each order's conversation in the store: an open quotation
survives a restart), ``python -m agents.customer`` (entry point).
"""
