"""A small progress bar on stderr: ``[#####.....] 512/1000 negotiations  4.2 s``, redrawn in place."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
#: Redraw at most this often (seconds).
INTERVAL = 0.1


class ProgressBar:
    def __init__(
        self, total: int, *, label: str = "negotiations", enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = max(total, 0)
        self.done = 0
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._started = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self._drawn >= INTERVAL:
            self._drawn = now
            self._draw(now)

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def render(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self._started
        shown = min(self.done, self.total) if self.total else self.done
        filled = round(WIDTH * shown / self.total) if self.total else WIDTH
        bar = "#" * filled + "." * (WIDTH - filled)
        return f"[{bar}] {self.done}/{self.total} {self.label}  {elapsed:.1f} s"

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.render(now))
        self.stream.flush()
