"""The loopback rule and the pre-bound TCP socket of the servers the platform starts."""

from __future__ import annotations

import socket

import pytest

from common.net import bind, is_loopback, require_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", ""])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_localhost_is_required_as_its_ip_address() -> None:
    assert require_loopback("localhost") == "127.0.0.1"
    assert require_loopback("::1") == "::1"


def test_another_host_is_refused_naming_the_server() -> None:
    with pytest.raises(ValueError, match=r"^the embedded ledger binds to loopback only, not '0\.0\.0\.0'$"):
        require_loopback("0.0.0.0", "the embedded ledger")


def test_bind_gives_a_tcp_socket_on_a_free_port() -> None:
    with bind("127.0.0.1", 0) as sock:
        host, port = sock.getsockname()[:2]
        assert (host, sock.family, sock.proto) == ("127.0.0.1", socket.AF_INET, socket.IPPROTO_TCP)
        assert port > 0 and sock.get_inheritable()
        sock.listen()
        with socket.create_connection((host, port), timeout=1):
            pass


def test_bind_takes_an_ipv6_address() -> None:
    sock = bind("::1", 0)
    with sock:
        assert sock.family == socket.AF_INET6


def test_bind_refuses_a_port_in_use() -> None:
    with bind("127.0.0.1", 0) as taken:
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            bind("127.0.0.1", port)
