"""Distributed runs: the real agents over a real XMPP server (proxies in their own process)."""
