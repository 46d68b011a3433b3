"""Content types used only by the protocol tests (registered under names no real model uses)."""

from __future__ import annotations

from pydantic import Field

from ontology.codec import Content, register


@register
class ProtocolTestCall(Content):
    item: str = Field(min_length=1)


@register
class ProtocolTestOffer(Content):
    price: int = Field(ge=0)


@register
class ProtocolTestResult(Content):
    value: str
