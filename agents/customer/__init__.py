"""The customer's agent: places orders, answers quotations (policy or external decisions), pays.

Modules: :mod:`.decisions` (decision sources), :mod:`.agent` (the SPADE agent),
``python -m agents.customer`` (entry point).
"""
