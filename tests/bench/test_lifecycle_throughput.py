"""The lifecycle benchmark's arithmetic: paid orders per second from the first placed to the last paid, waits
as percentiles, every order that did not get paid counted by how it ended. (Its load runs against `lso run`,
whose whole order story tests/cli/test_run_order.py plays in the same layout.)"""

from __future__ import annotations

from bench.lifecycle_throughput import Lifecycle, percentile, summary


def test_a_layouts_summary() -> None:
    done = [
        Lifecycle(placed=0.0, quoted=2.0, paid=6.0),
        Lifecycle(placed=1.0, quoted=4.0, paid=11.0),
        Lifecycle(placed=2.0, quoted=3.0, ended="failed"),
        Lifecycle(placed=3.0, ended="not paid in time"),
    ]
    layout = summary("split", done, started=1.0)
    assert (layout.orders, layout.paid, layout.failed, layout.unfinished) == (4, 2, 1, 1)
    assert layout.paid_per_second == 0.2  # 2 paid from 1.0 to 11.0
    assert layout.quoted_p50_s == 2.0 and layout.quoted_p95_s == 3.0
    assert layout.paid_p50_s == 8.0
    assert layout.ended == {"failed": 1, "not paid in time": 1}


def test_a_wait_nothing_measured_is_none_not_zero() -> None:
    assert percentile([], 0.5) is None
    layout = summary("single", [Lifecycle(placed=0.0, ended="refused 409")], started=0.0)
    assert layout.paid == 0 and layout.paid_per_second == 0.0
    assert layout.quoted_p95_s is None and layout.paid_p50_s is None
