"""SPADE ``Message`` <-> :class:`protocols.wire.XmppEnvelope`, and ACL messages on top of it.

On the wire a message is what SPADE 4.1.4 sends: ``<message type="chat">`` with the body and an
XEP-0004 data form titled ``spade:x:metadata`` holding one text field per metadata item, plus a
``_thread_node`` field for the thread (SPADE reads the thread from there, not from ``<thread/>``).
:func:`stanza_xml` writes that stanza directly: SPADE's ``Message.prepare`` builds the form
through slixmpp's form plugin, about 40 µs per field (0.45 ms for an ACL message), and slixmpp's
serializer escapes character by character.

Addresses are reduced to bare JIDs: servers such as Prosody stamp the sender's full JID
(``name@domain/resource``), and agents are identified by their bare JID. The sender is always the
XMPP ``from`` address; a ``sender`` metadata field, if a peer sends one, is ignored by
:func:`protocols.wire.from_envelope`.
"""

from __future__ import annotations

import re
from typing import Any

from spade.message import SPADE_X_METADATA, Message

from protocols.acl import AclMessage
from protocols.wire import XmppEnvelope, from_envelope, to_envelopes


def bare(jid: Any) -> str:
    """The bare JID (``name@domain``) of a slixmpp JID or a string."""
    value = getattr(jid, "bare", None)
    if isinstance(value, str):
        return value
    return str(jid).split("/", 1)[0]


def metadata_of(message: Message) -> dict[str, str]:
    """All metadata of a SPADE message.

    SPADE 4.1.4 has no public way to list metadata keys (``Message.metadata`` became private in
    4.1.3; only ``get_metadata(key)`` remains), and ACL user-defined parameters (``X-...``) have
    keys not known in advance, so this one place reads the private mapping.
    """
    raw = getattr(message, "_metadata", None)
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def envelope_from_spade(message: Message) -> XmppEnvelope:
    return XmppEnvelope(
        to=bare(message.to),
        sender=bare(message.sender),
        body=message.body or "",
        thread=message.thread or None,
        metadata=metadata_of(message),
    )


def spade_from_envelope(envelope: XmppEnvelope) -> Message:
    return Message(
        to=envelope.to,
        sender=envelope.sender,
        body=envelope.body,
        thread=envelope.thread,
        metadata=dict(envelope.metadata),
    )


def acl_to_spade(message: AclMessage) -> list[Message]:
    """One SPADE message per receiver."""
    return [spade_from_envelope(envelope) for envelope in to_envelopes(message)]


def acl_from_spade(message: Message) -> AclMessage:
    """Decode a received SPADE message; raise :class:`protocols.acl.MalformedAclError`."""
    return from_envelope(envelope_from_spade(message))


_THREAD_FIELD = "_thread_node"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def _xml(text: str) -> str:
    """Escaped for XML text and attribute values; characters XML 1.0 forbids become U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text).translate(_ESCAPES)


def _field(name: str, value: str) -> str:
    return f'<field var="{_xml(name)}" type="text-single"><value>{_xml(value)}</value></field>'


def stanza_xml(envelope: XmppEnvelope) -> str:
    """The ``<message/>`` stanza for ``envelope``, serialized, in SPADE's wire format.

    Equivalent to SPADE's ``Message.prepare`` followed by slixmpp's serializer, about 20 times
    faster (slixmpp escapes character by character; its form plugin is slow, see the module doc).
    """
    parts = [
        f'<message to="{_xml(envelope.to)}" from="{_xml(envelope.sender)}" type="chat">',
        f"<body>{_xml(envelope.body)}</body>",
    ]
    if envelope.metadata:
        parts.append(f'<x xmlns="jabber:x:data" type="form"><title>{SPADE_X_METADATA}</title>')
        parts.extend(_field(name, value) for name, value in envelope.metadata.items())
        if envelope.thread:
            parts.append(_field(_THREAD_FIELD, envelope.thread))
        parts.append("</x>")
    parts.append("</message>")
    return "".join(parts)
