"""Spaces and utilities for the negotiation tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from agents.negotiation import NegotiationSpace, Side, Utility, qualities_between
from ontology.negotiation import IssueWeights
from ontology.process import QualityLevel

DAY0 = date(2030, 3, 1)


@st.composite
def weights(draw: st.DrawFn) -> IssueWeights:
    a = draw(st.integers(0, 100))
    b = draw(st.integers(0, 100 - a))
    return IssueWeights(price=a / 100, delivery=b / 100, quality=(100 - a - b) / 100)


@st.composite
def spaces(draw: st.DrawFn) -> NegotiationSpace:
    low = Decimal(draw(st.integers(0, 100_000))) / 100
    high = low + Decimal(draw(st.integers(0, 100_000))) / 100
    earliest = DAY0 + timedelta(days=draw(st.integers(0, 30)))
    latest = earliest + timedelta(days=draw(st.integers(0, 120)))
    levels = list(QualityLevel)
    i = draw(st.integers(0, len(levels) - 1))
    j = draw(st.integers(i, len(levels) - 1))
    return NegotiationSpace(low, high, earliest, latest, qualities_between(levels[i], levels[j]))


@st.composite
def utilities(draw: st.DrawFn) -> Utility:
    return Utility(draw(st.sampled_from(list(Side))), draw(spaces()), draw(weights()))
