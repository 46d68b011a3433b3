"""Settings, security and other cross-cutting parts of the gateway."""
