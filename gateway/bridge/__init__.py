"""The one component through which the gateway reaches the agents (see :mod:`gateway.bridge.base`)."""
