"""The progress bar: drawn on its stream in place, silent when disabled."""

from __future__ import annotations

import io

from simulation.progress import ProgressBar


def test_the_bar_shows_done_of_total_and_ends_with_a_newline() -> None:
    stream = io.StringIO()
    bar = ProgressBar(10, stream=stream)
    bar.advance(4)
    assert bar.render().startswith("[" + "#" * 12 + "." * 18 + "] 4/10 negotiations")
    bar.advance(6)
    bar.close()
    last = stream.getvalue().rsplit("\r", 1)[-1]
    assert last.startswith("[" + "#" * 30 + "] 10/10 negotiations") and last.endswith(" s\n")


def test_a_disabled_bar_writes_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(3, enabled=False, stream=stream)
    bar.advance(3)
    bar.close()
    assert stream.getvalue() == ""
