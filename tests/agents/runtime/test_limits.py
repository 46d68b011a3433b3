"""Rate and size limits: what any one sender can make an agent do is bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from agents.runtime.limits import Rate, RateLimiter, acl_size


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, senders: int = 100) -> RateLimiter:
    return RateLimiter(Rate(2.0, 5), Rate(100.0, 500), senders=senders, clock=clock)


def test_a_burst_passes_then_the_rate_holds() -> None:
    clock = Clock()
    limits = limiter(clock)
    assert all(limits.allow("a@x") for _ in range(5))
    assert not limits.allow("a@x")
    clock.now += 1.0
    assert [limits.allow("a@x") for _ in range(3)] == [True, True, False]
    assert limits.allow("b@x"), "another sender has its own bucket"
    assert all(limits.allow("a@x", trusted=True) for _ in range(500)), "a bound sender has the larger bucket"


def test_refusals_are_answered_at_most_once_per_second() -> None:
    clock = Clock()
    limits = limiter(clock)
    for _ in range(20):
        limits.allow("a@x")
    assert limits.should_answer("a@x")
    assert not limits.should_answer("a@x")
    assert limits.refused_since_answer("a@x") == 15
    clock.now += 1.0
    assert limits.should_answer("a@x")


def test_the_senders_remembered_are_bounded() -> None:
    limits = limiter(Clock(), senders=10)
    for index in range(1000):
        limits.allow(f"s{index}@x")
    assert limits.tracked == 10


@given(st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=200))
def test_never_more_than_burst_plus_rate_times_time(gaps: list[float]) -> None:
    clock = Clock()
    limits = limiter(clock)
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += limits.allow("a@x")
    assert allowed <= 5 + 2.0 * clock.now + 1e-9


def test_size_counts_utf8_bytes_of_body_and_parameters() -> None:
    assert acl_size("é", {"performative": "inform"}) == 2 + len("performative") + len("inform")
