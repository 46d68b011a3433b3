-- Prosody for the platform's agents in docker-compose. Agents register their accounts in-band
-- on first start; the server is only reachable on the compose network.
admins = { }
modules_enabled = {
    "roster"; "saslauth"; "tls"; "disco"; "ping"; "register"; "carbons"; "pep"; "offline";
}
allow_registration = true
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
modules_disabled = { "s2s" }

VirtualHost (os.getenv("LSO_XMPP_DOMAIN") or "lso.local")
