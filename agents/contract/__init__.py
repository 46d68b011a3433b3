"""Parts of the contract agent (:mod:`agents.contract_agent`)."""
