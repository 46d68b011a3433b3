"""Fixtures shared by the whole suite, and how pytest-xdist's workers share the suite out (``make test``)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

# The tests spawn agents as child processes while dazl's gRPC channels run threads in the test process; gRPC's
# fork handlers then run in a child between fork and exec and may abort it (SIGABRT). The children exec at
# once and share nothing with gRPC, so the handlers are turned off (read when grpc is first imported).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
# Passwords are hashed with argon2id as in production, at its least cost: the gateway tests log in hundreds
# of times, and the default cost (64 MiB, 3 passes, 4 lanes) spends about 0.25 s of CPU on each hash.
for _name, _value in {"TIME_COST": "1", "MEMORY_KIB": "1024", "PARALLELISM": "1"}.items():
    os.environ.setdefault(f"LSO_GATEWAY_PASSWORD_HASH_{_name}", _value)

pytest_plugins = ["tests.xmpp_servers"]

PACKAGE_GROUPS = ("tests/webapp/", "tests/attacks/")
"""Directories whose tests share a package- or session-scoped platform: each goes to one worker whole."""


def work_unit(nodeid: str) -> str:
    """What one worker takes whole: a test's module (its module-scoped servers start once), or its directory
    when that is one of :data:`PACKAGE_GROUPS`."""
    module = nodeid.split("::", 1)[0]
    return next((package for package in PACKAGE_GROUPS if module.startswith(package)), module)


class ModuleScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
    """xdist's scope scheduling by :func:`work_unit` (its own splits a module's classes apart), the
    directories of :data:`PACKAGE_GROUPS` handed out first: they are the longest units, and one of them
    started last would keep a worker busy long after the other ran out of work."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:
            units = sorted(self.workqueue.items(), key=lambda unit: unit[0] not in PACKAGE_GROUPS)
            self.workqueue.clear()
            self.workqueue.update(units)
            self._ordered = True
        super()._assign_work_unit(node)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ModuleScheduling:
    return ModuleScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis names each API operation's test in the item's name but not in its node id; xdist tells
    tests apart by node id (one of two with the same id is never run), so the name goes into the id."""
    for item in items:
        if not item.nodeid.endswith(f"::{item.name}"):
            renamed = f"{item.nodeid.rpartition('::')[0]}::{item.name}"
            node_id = getattr(item, "_id", None)
            if node_id is not None:  # pytest 9 keeps a structured id
                item._id = type(node_id).parse(renamed)
            else:
                setattr(item, "_nodeid", renamed)  # noqa: B010  # pytest 8 keeps it here
