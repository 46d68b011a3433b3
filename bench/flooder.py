"""An outsider's flood, from its own process, with slixmpp (a plain XMPP client, none of our agent code).

    python -m bench.flooder --to JID [--receiver FULLJID] --kind cfp|oversize --count N --size BYTES

Its account (``LSO_FLOOD_ACCOUNT``, ``LSO_FLOOD_PASSWORD``) and the server (``LSO_XMPP_HOST``/``PORT``/
``DOMAIN``) come from the environment. It prints ``READY`` once logged in, sends the flood as fast as the
stream takes it, waits ``--linger`` seconds for answers, and prints one JSON line: what it sent and how many
answers of each performative it got.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import ssl
import sys
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import slixmpp

from ontology.codec import encode
from ontology.negotiation import CallForProposals
from ontology.process import ProcessKind
from ontology.product import RequiredPart

_PERFORMATIVE = re.compile(r"var=.performative.[^>]*>\s*<(?:\w+:)?value>([a-z-]+)<")
_REASON = re.compile(r"&quot;reason&quot;:&quot;([a-z-]+)&quot;|\"reason\":\"([a-z-]+)\"")


def _stanza(to: str, receiver: str, body: str, performative: str, protocol: str) -> str:
    cid = f"flood-{uuid.uuid4().hex}"
    fields = {
        "performative": performative,
        "protocol": protocol,
        "conversation-id": cid,
        "receiver": receiver,
        "reply-with": cid[-8:],
    }
    if "/" in receiver:
        fields["intended-receiver"] = receiver
    form = "".join(
        f'<field var="{name}" type="text-single"><value>{escape(value)}</value></field>'
        for name, value in fields.items()
    )
    return (
        f'<message to="{escape(to)}" type="chat"><body>{escape(body)}</body><thread>{cid}</thread>'
        f'<x xmlns="jabber:x:data" type="form"><title>spade:x:metadata</title>{form}</x></message>'
    )


def _cfp() -> str:
    part = RequiredPart(part_id="flood", process=ProcessKind.WELDING, machine_minutes=60, material="steel")
    return encode(
        CallForProposals(
            order_id=uuid.uuid4(),
            part=part,
            delivery_date=date.today() + timedelta(days=60),
            reply_by=datetime.now(UTC) + timedelta(seconds=2),
        )
    )


class Flooder(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str) -> None:
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.answers: Counter[str] = Counter()
        self.started = asyncio.Event()
        self.add_event_handler("session_start", self._session_start)
        self.add_event_handler("message", self._message)

    def _session_start(self, _: Any) -> None:
        self.send_presence()
        self.started.set()

    def _message(self, message: Any) -> None:
        text = str(message)
        found = _PERFORMATIVE.search(text)
        performative = found.group(1) if found else "other"
        reason = _REASON.search(text) if performative in ("refuse", "failure", "not-understood") else None
        self.answers[f"{performative} {reason.group(1) or reason.group(2)}" if reason else performative] += 1


async def flood(args: argparse.Namespace) -> dict[str, Any]:
    host, port, domain = (
        os.environ["LSO_XMPP_HOST"],
        int(os.environ["LSO_XMPP_PORT"]),
        os.environ["LSO_XMPP_DOMAIN"],
    )
    client = Flooder(f"{os.environ['LSO_FLOOD_ACCOUNT']}@{domain}", os.environ["LSO_FLOOD_PASSWORD"])
    client.enable_direct_tls = False
    client.connect(host=host, port=port)
    await asyncio.wait_for(client.started.wait(), 30)
    print("READY", flush=True)
    receiver = args.receiver or args.to
    if args.kind == "cfp":
        stanzas = [_stanza(args.to, receiver, _cfp(), "cfp", "fipa-contract-net") for _ in range(args.count)]
    else:
        body = "x" * args.size
        stanzas = [_stanza(args.to, receiver, body, "request", "fipa-request") for _ in range(args.count)]
    if args.warm:  # one message first, as an account that has been talking already
        client.send_raw(stanzas.pop())
        await asyncio.sleep(1.0)
    for stanza in stanzas:
        client.send_raw(stanza)
        await asyncio.sleep(0)
    await asyncio.sleep(args.linger)
    client.disconnect()
    return {"sent": args.count, "answers": dict(client.answers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--to", required=True, help="bare JID the stanzas go to")
    parser.add_argument("--receiver", default="", help="the hosted agent meant (full JID), if any")
    parser.add_argument("--kind", choices=("cfp", "oversize"), default="cfp")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--size", type=int, default=200_000, help="body bytes of an oversize message")
    parser.add_argument("--linger", type=float, default=3.0, help="seconds to wait for answers")
    parser.add_argument("--warm", action="store_true", help="send one message a second before the rest")
    args = parser.parse_args()
    result = asyncio.run(flood(args))
    print(json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
