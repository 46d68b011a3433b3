"""Sockets of the servers the platform starts: the loopback rule and a TCP socket bound beforehand."""

from __future__ import annotations

import ipaddress
import socket


def is_loopback(host: str) -> bool:
    """``host`` is a loopback IP address, or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_loopback(host: str, server: str = "a server of the platform") -> str:
    """The loopback IP address of ``host`` (``localhost``: ``127.0.0.1``); ``ValueError`` naming ``server``
    when ``host`` is anything else, since the servers the platform starts never listen elsewhere."""
    if not is_loopback(host):
        raise ValueError(f"{server} binds to loopback only, not {host!r}")
    return "127.0.0.1" if host == "localhost" else host


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: a free one), ready to listen; closed if binding fails.

    The socket says it is TCP (``IPPROTO_TCP``, not 0): asyncio sets ``TCP_NODELAY`` only on sockets that
    do, and accepted sockets inherit it; without it a response written in two parts waits for the client's
    delayed ACK (about 40 ms). It is inheritable: a child process may serve it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
