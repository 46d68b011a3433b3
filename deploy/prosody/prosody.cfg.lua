-- Prosody for the platform's agents in docker-compose, reachable only on the compose network.
-- Accounts are created, never claimed: in-band registration is off, and the platform's accounts are
-- registered by register-accounts.sh (the container's entrypoint) from the file that
-- `lso xmpp init-accounts --prosody-accounts` writes, each with its own random password.
admins = { }
modules_enabled = {
    "roster"; "saslauth"; "tls"; "disco"; "ping"; "carbons"; "pep"; "offline";
}
modules_disabled = { "s2s"; "register" }
allow_registration = false
-- The agents' ACL messages are at most LSO_ACL_MAX_MESSAGE_BYTES (128 KiB) plus the XMPP envelope.
c2s_stanza_size_limit = 262144
c2s_require_encryption = true
authentication = "internal_hashed"
storage = "internal"
data_path = "/var/lib/prosody"
log = { info = "*console" }
certificates = "/etc/prosody/certs"
pidfile = "/var/run/prosody/prosody.pid"
interfaces = { "*" }
c2s_ports = { 5222 }
s2s_ports = { }

VirtualHost (os.getenv("LSO_XMPP_DOMAIN") or "lso.local")
