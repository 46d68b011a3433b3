"""Every server the platform starts listens on loopback only (no primary address, no HTTP)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.runtime.prosody import ProsodyServer
from common.settings import Settings

LISTEN = "0A"


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(hex address, port) of every TCP socket process ``pid`` listens on."""
    mine = _socket_inodes(pid)
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and inode in mine:
                address, port = local.split(":")
                found.add((address, int(port, 16)))
    return found


def test_embedded_pyjabber_listens_on_loopback_only(pyjabber_settings: Settings) -> None:
    found = listening_addresses(os.getpid())  # pyjabber runs in this process
    ports = {port for _, port in found}
    assert {pyjabber_settings.xmpp_port, pyjabber_settings.xmpp_s2s_port} <= ports
    assert 9090 not in ports
    assert {address for address, _ in found} == {"0100007F"}  # 127.0.0.1


@pytest.mark.prosody
def test_prosody_listens_on_loopback_only(prosody_server: ProsodyServer) -> None:
    assert prosody_server.pid is not None
    found = listening_addresses(prosody_server.pid)
    assert found == {("0100007F", prosody_server.port)}
