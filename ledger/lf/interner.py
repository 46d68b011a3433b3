"""String and dotted-name interning tables of a DAML-LF 1.x package."""

from __future__ import annotations

from collections.abc import Sequence

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf


class Interner:
    """Collects the interned strings and dotted names of one package, in first-use order."""

    def __init__(self) -> None:
        self._strings: dict[str, int] = {}
        self._dotted: dict[tuple[int, ...], int] = {}

    def string(self, value: str) -> int:
        """Index of ``value`` in the interned strings table (added on first use)."""
        index = self._strings.get(value)
        if index is None:
            index = len(self._strings)
            self._strings[value] = index
        return index

    def dotted(self, segments: Sequence[str] | str) -> int:
        """Index of a dotted name (``"Lso.Order"`` or its segments) in the interned names table."""
        parts = segments.split(".") if isinstance(segments, str) else list(segments)
        key = tuple(self.string(part) for part in parts)
        index = self._dotted.get(key)
        if index is None:
            index = len(self._dotted)
            self._dotted[key] = index
        return index

    def fill(self, package: pblf.Package) -> None:
        """Write both tables into ``package``."""
        package.interned_strings.extend(self._strings)
        package.interned_dotted_names.extend(
            pblf.InternedDottedName(segments_interned_str=list(key)) for key in self._dotted
        )
