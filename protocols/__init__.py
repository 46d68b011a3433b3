"""FIPA ACL and interaction protocols, with no network and no SPADE.

* :mod:`protocols.performative`, :mod:`protocols.acl`, :mod:`protocols.wire`: the ACL message and
  its mapping to and from XMPP messages.
* :mod:`protocols.conversation`: the sans-IO conversation machine every protocol builds on (how to
  drive one, and the rules all of them enforce); :mod:`protocols.transitions`: the tables that say
  which performative each state accepts and where each step leads; :mod:`protocols.participant`:
  the participant role and the FIPA-cancel meta-protocol; :mod:`protocols.events`: the conversation
  log, recorded through :mod:`protocols.fast_events`.
* :mod:`protocols.request` (FIPA Request), :mod:`protocols.contract_net` and
  :mod:`protocols.contract_net_participant` (Contract Net), :mod:`protocols.iterated_contract_net`,
  :mod:`protocols.order_request` (the order protocol: a request whose quotation is negotiated).
* :mod:`protocols.snapshot`: persist and resume conversations; :mod:`protocols.factory`: which
  participant a message that opens a conversation needs.
* :mod:`protocols.diagrams`: draws every machine's table into ``docs/protocols.md``.
"""
