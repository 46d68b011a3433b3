"""The local federation service that stands in for EFPF: identity provider, registry, federated search."""

from federation.service.app import create_app
from federation.service.serve import RunningService, ServiceThread, run_in_background, serve

__all__ = ["RunningService", "ServiceThread", "create_app", "run_in_background", "serve"]
