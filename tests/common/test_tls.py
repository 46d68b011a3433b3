"""One TLS context per process for the HTTP clients that verify against the default trust store."""

from __future__ import annotations

import ssl

from common.tls import default_tls_context
from ledger.jsonapi_client import JsonApiClient


def test_the_context_is_built_once_and_verifies_hosts() -> None:
    context = default_tls_context()
    assert context is default_tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded


async def test_every_ledger_client_shares_it() -> None:
    clients = [JsonApiClient("http://127.0.0.1:1") for _ in range(3)]
    try:
        pools = [vars(vars(vars(client)["_http"])["_transport"])["_pool"] for client in clients]
        contexts = {id(vars(pool)["_ssl_context"]) for pool in pools}
        assert contexts == {id(default_tls_context())}
    finally:
        for client in clients:
            await client.aclose()
