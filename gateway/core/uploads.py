"""Where files are uploaded, and how large a request carrying one may be."""

from __future__ import annotations

from gateway.core.config import GatewaySettings

UPLOADS_PATH = "/uploads"

MULTIPART_OVERHEAD_BYTES = 65_536
"""Room for the multipart envelope (boundaries, part headers, the file name) around the file itself."""


def upload_body_limit(settings: GatewaySettings) -> int:
    """The largest body ``POST /uploads`` reads: the largest file plus its multipart envelope (never less
    than the body limit of every other request)."""
    return max(settings.max_body_bytes, settings.upload_max_bytes + MULTIPART_OVERHEAD_BYTES)
