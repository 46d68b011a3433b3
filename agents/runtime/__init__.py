"""The XMPP runtime: servers (embedded pyjabber, Prosody harness), transport mapping, the base agent."""
