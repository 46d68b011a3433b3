"""What an uploaded file is, from its content (never from its name or the type the client declared).

A small, honest list: PDF, PNG and JPEG by their magic bytes; SVG as UTF-8 XML whose root is ``svg``,
with no DOCTYPE (no entities), no scripts, no event handler attributes, no ``javascript:`` links and
no embedded HTML; STEP by its ``ISO-10303-21;`` header; STL as binary (84-byte header and count,
50 bytes a triangle) or text (``solid`` ... ``facet`` ... ``endsolid``); DXF as binary (its sentinel)
or text (a ``0`` / ``SECTION`` group first, comments allowed before it). Anything else is refused.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ElementTree

from ontology.product import MediaType

_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_DANGEROUS_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object"})
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)
_DXF_BINARY = b"AutoCAD Binary DXF\r\n\x1a\x00"
_TEXT_HEAD = 4096


class UnsafeFile(ValueError):
    """The file looks like a type we know but carries something we refuse (an SVG script)."""


def _text_head(content: bytes) -> str | None:
    """The first few kB as text (UTF-8 or Latin-1, BOM dropped), or None when it holds NUL bytes."""
    head = content[:_TEXT_HEAD]
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    return text.removeprefix("\ufeff")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _check_svg(content: bytes) -> bool:
    """True for a safe SVG; False when it is not SVG; raises :class:`UnsafeFile` for an unsafe one."""
    try:
        text = content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return False
    start = text.lstrip()[:_TEXT_HEAD].lower()
    if not (start.startswith("<?xml") or start.startswith("<svg") or start.startswith("<!--")):
        return False
    if "<!doctype" in text.lower() or "<!entity" in text.lower():
        raise UnsafeFile("an SVG with a DOCTYPE or entities is refused")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return False
    if root.tag not in ("svg", f"{_SVG_NAMESPACE}svg"):
        return False
    for element in root.iter():
        if _local(element.tag) in _DANGEROUS_ELEMENTS:
            raise UnsafeFile(f"an SVG with a {_local(element.tag)} element is refused")
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.startswith("on"):
                raise UnsafeFile(f"an SVG with an event handler ({name}) is refused")
            if name in ("href", "src") and _SCRIPT_URL.match(value):
                raise UnsafeFile("an SVG with a script link is refused")
    return True


def _is_binary_stl(content: bytes) -> bool:
    if len(content) < 84:
        return False
    triangles: int = struct.unpack_from("<I", content, 80)[0]
    return triangles > 0 and len(content) == 84 + 50 * triangles


def _is_text_stl(text: str) -> bool:
    lowered = text.lstrip().lower()
    return lowered.startswith("solid") and "facet" in lowered


def _is_text_dxf(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    while len(lines) >= 2 and lines[0] == "999":  # comment groups
        lines = lines[2:]
    return len(lines) >= 2 and lines[0] == "0" and lines[1] == "SECTION"


def detect(content: bytes) -> MediaType | None:
    """The media type of ``content``, or None when it is none of the types we recognise.

    Raises :class:`UnsafeFile` for an SVG that carries scripts or entities."""
    if content.startswith(b"%PDF-"):
        return MediaType.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if content.startswith(_DXF_BINARY):
        return MediaType.DXF
    if _is_binary_stl(content):
        return MediaType.STL
    text = _text_head(content)
    if text is None:
        return None
    if text.lstrip().startswith("ISO-10303-21;"):
        return MediaType.STEP
    if _is_text_stl(text):
        return MediaType.STL
    if _is_text_dxf(text):
        return MediaType.DXF
    if _check_svg(content):
        return MediaType.SVG
    return None


def known_types_words() -> str:
    """ "PDF, PNG, JPEG, SVG, STEP, STL or DXF"."""
    names = [media_type.words for media_type in MediaType]
    return f"{', '.join(names[:-1])} or {names[-1]}"
