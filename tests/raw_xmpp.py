"""A bare XMPP client for attacks from outside: asyncio streams, STARTTLS, SASL PLAIN, raw stanzas.

It shares nothing with the platform's agents (no SPADE, no slixmpp), so what it proves about a server holds
for any client: what an outsider on the c2s port can and cannot do.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
from html import unescape
from types import TracebackType
from xml.sax.saxutils import escape as _escape

STREAM = (
    "<stream:stream to='{domain}' version='1.0' xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams'>"
)
"""A stream header, without an XML declaration (pyjabber cannot parse one in a restarted stream)."""


class RawXmpp:
    def __init__(self, host: str, port: int, domain: str, *, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.domain = domain
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.received = ""

    async def __aenter__(self) -> RawXmpp:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> str:
        """Open the stream and upgrade it with STARTTLS; the features offered after TLS."""
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        await self.send(STREAM.format(domain=self.domain))
        await self.until("</stream:features>")
        await self.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await self.until("<proceed")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        await self.writer.start_tls(context, server_hostname=self.domain)
        self.received = ""
        await self.send(STREAM.format(domain=self.domain))
        return await self.until("</stream:features>")

    async def send(self, text: str) -> None:
        assert self.writer is not None
        self.writer.write(text.encode())
        await self.writer.drain()

    async def until(self, *markers: str) -> str:
        """Read until one of ``markers`` (an element name matches with any namespace prefix: servers write
        ``<ns0:proceed>`` as well as ``<proceed>``) or the end of the stream; everything read so far."""
        assert self.reader is not None
        patterns = [_pattern(marker) for marker in markers]
        async with asyncio.timeout(self.timeout):
            while not any(pattern.search(self.received) for pattern in patterns):
                chunk = await self.reader.read(65536)
                if not chunk:
                    break
                self.received += chunk.decode(errors="replace")
        return self.received

    async def register(self, username: str, password: str) -> str:
        """Ask for an account in-band (XEP-0077), as an outsider would; the server's answer."""
        await self.send(
            "<iq type='set' id='reg-1'><query xmlns='jabber:iq:register'>"
            f"<username>{username}</username><password>{password}</password></query></iq>"
        )
        return await self.until("id='reg-1'", 'id="reg-1"', "</stream:stream>", "<stream:error")

    async def login(self, username: str, password: str) -> bool:
        """SASL PLAIN; whether the server said success."""
        token = base64.b64encode(f"\0{username}\0{password}".encode()).decode()
        await self.send(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>")
        text = await self.until("<success", "<failure", "</stream:stream>", "<stream:error")
        return "<success" in text

    async def session(self, username: str, password: str, resource: str = "raw") -> str:
        """Log in, restart the stream, bind ``resource`` and say we are available; our full JID."""
        if not await self.login(username, password):
            raise PermissionError(f"the server refused the login of {username}")
        self.received = ""
        await self.send(STREAM.format(domain=self.domain))
        await self.until("</stream:features>")
        await self.send(
            "<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            f"<resource>{resource}</resource></bind></iq>"
        )
        text = await self.until("</jid>")
        match = re.search(r"<(?:\w+:)?jid[^>]*>([^<]+)</(?:\w+:)?jid>", text)
        if match is None:
            raise RuntimeError(f"no JID bound: {text[-500:]}")
        await self.send(
            "<iq type='set' id='sess-1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>"
        )
        await self.send("<presence><priority>0</priority></presence>")
        self.received = ""
        return match.group(1)

    async def message(
        self,
        to: str,
        body: str,
        parameters: dict[str, str],
        *,
        thread: str | None = None,
        spade_thread: bool = False,
    ) -> None:
        """A ``<message type="chat">``: the body, the FIPA parameters in the ``spade:x:metadata`` form (as
        docs/wire.md describes), and the conversation id in ``<thread>`` (also as the ``_thread_node``
        field when ``spade_thread``)."""
        fields = "".join(
            f"<field var='{escape(name)}' type='text-single'><value>{escape(value)}</value></field>"
            for name, value in parameters.items()
        )
        if thread and spade_thread:
            fields += f"<field var='_thread_node' type='text-single'><value>{escape(thread)}</value></field>"
        form = (
            f"<x xmlns='jabber:x:data' type='form'><title>spade:x:metadata</title>{fields}</x>"
            if fields
            else ""
        )
        threading = f"<thread>{escape(thread)}</thread>" if thread else ""
        await self.send(
            f"<message to='{escape(to)}' type='chat'><body>{escape(body)}</body>{threading}{form}</message>"
        )

    async def next_message(self) -> str:
        """The next complete ``<message>`` read (consumed, with whatever came before it)."""
        text = await self.until("</message>")
        end = _pattern("</message>").search(text)
        start = _pattern("<message").search(text)
        if end is None or start is None:
            raise TimeoutError("no message")
        self.received = text[end.end() :]
        return text[start.start() : end.end()]

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await self.writer.wait_closed()
            self.writer = None


def escape(text: str) -> str:
    return _escape(text, {"'": "&apos;", '"': "&quot;"})


def _pattern(marker: str) -> re.Pattern[str]:
    for opening in ("</", "<"):
        if marker.startswith(opening):
            return re.compile(opening + r"(?:\w+:)?" + re.escape(marker[len(opening) :]))
    return re.compile(re.escape(marker))


def offers_registration(features: str) -> bool:
    return re.search(r"http://jabber.org/features/iq-register", features) is not None


async def can_log_in(host: str, port: int, domain: str, username: str, password: str) -> bool:
    async with RawXmpp(host, port, domain) as client:
        return await client.login(username, password)


def body_of(stanza: str) -> str:
    """The body of a message stanza, unescaped ('' when there is none)."""
    match = re.search(r"<(?:\w+:)?body[^>]*>(.*?)</(?:\w+:)?body>", stanza, re.S)
    return "" if match is None else unescape(match.group(1))


def field_of(stanza: str, name: str) -> str | None:
    """The value of the metadata field ``name`` of a message stanza, unescaped."""
    pattern = rf"var=[\"']{re.escape(name)}[\"'][^>]*>\s*<(?:\w+:)?value>(.*?)</(?:\w+:)?value>"
    match = re.search(pattern, stanza, re.S)
    return None if match is None else unescape(match.group(1))


def thread_of(stanza: str) -> str | None:
    match = re.search(r"<(?:\w+:)?thread[^>]*>(.*?)</(?:\w+:)?thread>", stanza, re.S)
    return None if match is None else unescape(match.group(1))
