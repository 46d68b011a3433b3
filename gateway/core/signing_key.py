"""The gateway's token signing key: configured, or created once and kept in the data directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gateway.core.config import GatewaySettings

KEY_FILE = "gateway-jwt.key"


def signing_key(settings: GatewaySettings, data_dir: Path) -> bytes:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
