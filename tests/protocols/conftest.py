"""Every protocol test also checks that each state change it caused is one its machine's table lists."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.protocols.transition_audit import audit_transitions


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with audit_transitions() as violations:
        result = yield
    if violations:
        shown = "\n".join(sorted(set(violations))[:20])
        raise AssertionError(f"state changes missing from the transition tables:\n{shown}")
    return result
