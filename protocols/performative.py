"""FIPA ACL communicative acts (FIPA SC00037), by their FIPA names."""

from __future__ import annotations

from enum import StrEnum


class Performative(StrEnum):
    ACCEPT_PROPOSAL = "accept-proposal"
    AGREE = "agree"
    CANCEL = "cancel"
    CFP = "cfp"
    CONFIRM = "confirm"
    DISCONFIRM = "disconfirm"
    FAILURE = "failure"
    INFORM = "inform"
    INFORM_IF = "inform-if"
    INFORM_REF = "inform-ref"
    NOT_UNDERSTOOD = "not-understood"
    PROPAGATE = "propagate"
    PROPOSE = "propose"
    PROXY = "proxy"
    QUERY_IF = "query-if"
    QUERY_REF = "query-ref"
    REFUSE = "refuse"
    REJECT_PROPOSAL = "reject-proposal"
    REQUEST = "request"
    REQUEST_WHEN = "request-when"
    REQUEST_WHENEVER = "request-whenever"
    SUBSCRIBE = "subscribe"


class ProtocolName(StrEnum):
    """Interaction protocol identifiers as FIPA and JADE spell them."""

    REQUEST = "fipa-request"
    CONTRACT_NET = "fipa-contract-net"
    ITERATED_CONTRACT_NET = "fipa-iterated-contract-net"
    ORDER = "lso-order"
    """Ours: a FIPA Request opening (the order; agree/refuse) then Iterated Contract Net (the quotation)."""
