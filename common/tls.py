"""One TLS context per process for the HTTP clients that verify against the default trust store.

httpx builds a fresh ``SSLContext`` for every client and loads the whole CA bundle into it (tens of
milliseconds of CPU each), even for a client that only ever speaks plain HTTP on loopback. A process that
opens a client per ledger party (``lso run`` opens one per supplier) pays that hundreds of times; these
clients share :func:`default_tls_context` instead. A context is safe to share between clients and threads.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """The context httpx would build for ``verify=True`` (its CA bundle, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``
    when set), built once."""
    return httpx.create_ssl_context(verify=True, trust_env=True)
