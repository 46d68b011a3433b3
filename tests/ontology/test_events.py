"""History events: one vocabulary (the Python table, the web app's copy and docs/wire.md agree), every event
the agents and the gateway write has a sentence, every reason code they fail an order with has words, and
nothing in the vocabulary is an id, a hash, minutes or a protocol word."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from ontology.codec import decode, encode
from ontology.console import OrderStatusNotice
from ontology.events import EVENTS, PARAMS, REASONS, SOME_REASON, EventCode, HistoryEvent, failed
from ontology.order import OrderStatus

ROOT = Path(__file__).resolve().parents[2]
WRITERS = [
    *sorted((ROOT / "agents").rglob("*.py")),
    *sorted((ROOT / "gateway").rglob("*.py")),
]
FORBIDDEN = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}|[0-9a-f]{16}|\bmin\b|minutes|@|\b(cfp|propose|inform|performative|round)\b",
    re.IGNORECASE,
)


def _sources() -> dict[Path, str]:
    return {path: path.read_text() for path in WRITERS}


def test_every_event_code_has_a_sentence_and_known_parameters() -> None:
    assert set(EVENTS) == set(EventCode)
    for code, words in EVENTS.items():
        assert words.params <= set(PARAMS), code
        assert not FORBIDDEN.search(words.sentence), words.sentence


def test_every_event_the_agents_and_the_gateway_write_has_a_sentence() -> None:
    written = {name for text in _sources().values() for name in re.findall(r"\bEventCode\.([A-Z_]+)\b", text)}
    assert written, "the agents write events"
    assert written <= {code.name for code in EventCode}
    missing = {code.name for code in EventCode} - written
    assert not missing, f"events nobody writes (remove them or write them): {sorted(missing)}"


def test_every_reason_an_order_fails_with_has_words() -> None:
    sources = _sources()
    codes: set[str] = set()
    for text in sources.values():
        codes |= set(re.findall(r"\bfailed\(\"([a-z-]+)\"\)", text))
        codes |= set(re.findall(r"OrderFailed\(\s*\"([a-z-]+)\"", text))
    constants = {
        "AGENTS_UNREACHABLE",
        "NOT_ANSWERED",
        "REFUSED",
        "RESTARTED",
        "AGREEMENT_CONFLICT",
        "PARTY_NOT_ONBOARDED",
        "UNKNOWN_PRODUCT",
        "BAD_CUSTOMISATION",
        "WRONG_MANUFACTURER",
        "INFEASIBLE_DATE",
        "UNSUPPORTED_PROCESS",
    }
    for text in sources.values():
        for name, value in re.findall(r"^([A-Z_]+)(?:, [A-Z_]+)? = \"([a-z-]+)\"", text, re.MULTILINE):
            if name in constants:
                codes.add(value)
    codes.add("refused")  # NOT_ANSWERED, REFUSED = "not-answered", "refused"
    assert len(codes) > 15
    assert codes <= set(REASONS), sorted(codes - set(REASONS))
    for words in REASONS.values():
        assert not FORBIDDEN.search(words), words


def test_an_event_carries_exactly_the_parameters_of_its_sentence() -> None:
    quoted = HistoryEvent.of(
        EventCode.QUOTATION_SENT, total=Decimal("3148.38"), currency="EUR", delivery_date=date(2027, 1, 4)
    )
    assert quoted.params == {"total": "3148.38", "currency": "EUR", "delivery_date": "2027-01-04"}
    assert quoted.sentence() == "Quotation: €3,148.38, delivered on 4 January 2027."
    with pytest.raises(ValidationError, match="takes the parameters"):
        HistoryEvent.of(EventCode.QUOTATION_SENT, total=Decimal(1), currency="EUR")
    with pytest.raises(ValidationError, match="takes the parameters"):
        HistoryEvent.of(EventCode.CONTRACTS_COMMITTED, supplier="SUP-0073")
    with pytest.raises(ValidationError, match="is a count"):
        HistoryEvent.of(EventCode.SOURCING, parts="three")
    with pytest.raises(ValidationError, match="is an amount"):
        HistoryEvent.of(EventCode.COUNTER_OFFER, price="cheap", currency="EUR")
    with pytest.raises(ValidationError, match="Input should be"):
        HistoryEvent.model_validate({"event": "teleported", "params": {}})


def test_sentences_write_counts_dates_money_and_reasons_in_words() -> None:
    said = [
        HistoryEvent.of(EventCode.SOURCING, parts=1).sentence(),
        HistoryEvent.of(EventCode.NEGOTIATING, parts=3).sentence(),
        HistoryEvent.of(EventCode.PART_LATE, days=1).sentence(),
        HistoryEvent.of(EventCode.PRODUCTION_PROGRESS, percent=40, note="").sentence(),
        HistoryEvent.of(EventCode.COUNTER_OFFER, price=Decimal("950"), currency="CHF").sentence(),
        failed("no-supplier").sentence(),
        failed("x-7f3a").sentence(),
    ]
    assert said == [
        "Looking for suppliers for 1 part.",
        "Agreeing prices and dates with suppliers for 3 parts.",
        "A part arrived 1 day late.",
        "Production is 40 % done.",
        "Counter-offer: 950.00 CHF.",
        "The order stopped: no supplier makes one of the parts.",
        f"The order stopped: {SOME_REASON}.",
    ]


def test_a_status_notice_carries_its_event_over_the_wire() -> None:
    event = HistoryEvent.of(EventCode.SHIPPED, carrier="DHL", reference="LSO-1042")
    notice = OrderStatusNotice(
        order_id="0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
        status=OrderStatus.SHIPPED,
        note=event.sentence(),
        event=event,
    )
    assert decode(encode(notice), OrderStatusNotice) == notice


def test_the_web_app_holds_the_same_vocabulary() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (make test installs it)")
    script = (
        "import('./webapp/js/logic/timeline.js').then((m) => console.log(JSON.stringify("
        "{events: m.EVENTS, kinds: m.PARAM_KINDS, reasons: m.REASONS, some: m.SOME_REASON})))"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    app = json.loads(done.stdout)
    assert app["events"] == {str(code): words.sentence for code, words in EVENTS.items()}
    assert app["kinds"] == dict(PARAMS)
    assert app["reasons"] == dict(REASONS)
    assert app["some"] == SOME_REASON


def test_docs_list_every_event_and_reason() -> None:
    wire = (ROOT / "docs" / "wire.md").read_text()
    for code, words in EVENTS.items():
        params = ", ".join(f"`{p}`" for p in sorted(words.params)) or "—"
        assert f"| `{code}` | {params} | {words.sentence} |" in wire, code
    for reason, text in REASONS.items():
        assert f"| `{reason}` | {text} |" in wire, reason
