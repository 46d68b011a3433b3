"""The platform's XMPP accounts: their passwords (:mod:`.book`) and their creation on a server
(:mod:`.pyjabber_credentials` for the embedded server, :mod:`.prosodyctl` for Prosody)."""
