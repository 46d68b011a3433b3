"""An uploaded file's type from its content: the signatures we know, and SVGs that could run something."""

from __future__ import annotations

import struct

import pytest

from gateway.media import UnsafeFile, detect
from ontology.product import MediaType

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


def binary_stl(triangles: int) -> bytes:
    return b"solid but binary".ljust(80, b" ") + struct.pack("<I", triangles) + b"\x00" * 50 * triangles


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n...", MediaType.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", MediaType.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaType.JPEG),
        (b"\xef\xbb\xbfISO-10303-21;\nHEADER;", MediaType.STEP),
        (binary_stl(2), MediaType.STL),
        (b"solid bracket\n facet normal 0 0 1\n outer loop\n", MediaType.STL),
        (b"999\nmade by hand\n  0\nSECTION\n  2\nHEADER\n", MediaType.DXF),
        (b"AutoCAD Binary DXF\r\n\x1a\x00rest", MediaType.DXF),
        (('<?xml version="1.0"?>\n' + SVG.format('<circle r="4"/>')).encode(), MediaType.SVG),
        (SVG.format('<a xlink:href="https://example.org/"><text>hi</text></a>').encode(), MediaType.SVG),
        (b"<html><body>hello</body></html>", None),
        (b'<?xml version="1.0"?><note>not a drawing</note>', None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"solid but no triangles", None),
        (binary_stl(2)[:-1], None),
        (b"just some words", None),
    ],
)
def test_a_file_is_what_its_content_says(content: bytes, expected: MediaType | None) -> None:
    assert detect(content) == expected


@pytest.mark.parametrize(
    ("svg", "why"),
    [
        (SVG.format("<script>alert(1)</script>"), "script element"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
        (SVG.format('<a xlink:href=" JavaScript:alert(1)"><text>x</text></a>'), "script link"),
        (SVG.format("<foreignObject><div/></foreignObject>"), "foreignobject element"),
        ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE or entities"),
    ],
)
def test_an_svg_that_could_run_something_is_refused(svg: str, why: str) -> None:
    with pytest.raises(UnsafeFile, match=why):
        detect(svg.encode())
