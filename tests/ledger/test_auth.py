"""RS256 tokens (public key file, JWKS URL) and 2.x user tokens on the JSON API, over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, claims_token


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def user_token(key: Any, user: str, expires_in: float = 600) -> str:
    payload = {"sub": user, "scope": "daml_ledger_api", "exp": int(time.time() + expires_in)}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa_key()


@pytest.fixture(scope="module")
def jwks_url(key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A JWKS endpoint shaped like the local federation service's (Keycloak) certs URL."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/auth/realms/efpf/protocol/openid-connect/certs"
    server.shutdown()


@pytest.fixture(scope="module", params=["public-key-file", "jwks-url"])
def rs256_ledger(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    key: rsa.RSAPrivateKey,
    jwks_url: str,
) -> Iterator[LedgerProcess]:
    data = tmp_path_factory.mktemp("rs256")
    env = {"LSO_LEDGER_AUTH_USERS": json.dumps({"alice": ["Alice"], "bob": ["Bob"]})}
    if request.param == "public-key-file":
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (data / "issuer.pem").write_bytes(pem)
        env["LSO_LEDGER_AUTH_PUBLIC_KEY_FILE"] = str(data / "issuer.pem")
    else:
        env["LSO_LEDGER_AUTH_JWKS_URL"] = jwks_url
    process = LedgerProcess(data / "ledger", env=env, grpc=False)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    process.env.pop("LSO_LEDGER_AUTH_DISABLED")
    process.start()
    yield process
    process.stop()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_rs256_tokens(rs256_ledger: LedgerProcess, key: rsa.RSAPrivateKey) -> None:
    admin = claims_token(key, "RS256", admin=True, headers={"kid": "k1"})
    forged = claims_token(rsa_key(), "RS256", admin=True, headers={"kid": "k1"})
    expired = claims_token(key, "RS256", admin=True, expires_in=-30, headers={"kid": "k1"})
    hs = jwt.encode({"sub": "alice", "scope": "daml_ledger_api", "exp": int(time.time()) + 60}, "x" * 32)
    async with httpx.AsyncClient(base_url=rs256_ledger.info.json_api) as http:
        for party in ("Alice", "Bob"):
            response = await http.post(
                "/v1/parties/allocate", json={"identifierHint": party}, headers=_auth(admin)
            )
            assert response.status_code in (200, 409), response.text
        for bad in (forged, expired, hs):
            assert (await http.get("/v1/parties", headers=_auth(bad))).status_code == 401

        # a 2.x user token acts as the parties the ledger's user table gives it
        order = {
            "templateId": f"{MODULE}:CustomerOrder",
            "payload": samples.customer_order("a1", "Alice", "Bob"),
        }
        response = await http.post("/v1/create", json=order, headers=_auth(user_token(key, "alice")))
        assert response.status_code == 200, response.text
        response = await http.post("/v1/create", json=order, headers=_auth(user_token(key, "bob")))
        assert response.status_code == 400 and "DAML_AUTHORIZATION_ERROR" in response.text
        response = await http.post("/v1/create", json=order, headers=_auth(user_token(key, "mallory")))
        assert response.status_code == 403
        seen = await http.post(
            "/v1/query",
            json={"templateIds": [f"{MODULE}:CustomerOrder"]},
            headers=_auth(user_token(key, "bob")),
        )
        assert len(seen.json()["result"]) >= 1
        response = await http.get("/v1/parties", headers=_auth(user_token(key, "alice", expires_in=-5)))
        assert response.status_code == 401
