#!/bin/sh
# Entrypoint of Prosody in docker-compose: register the platform's XMPP accounts, then run Prosody.
#
# The accounts file holds one `node<TAB>password` line per account; `lso xmpp init-accounts
# --prosody-accounts FILE` writes it from the platform's account book. `prosodyctl register` creates each
# account or gives it the book's password again; the password goes through a pipe, never the command line.
# Accounts that are not in the file are left as they are. Prosody refuses to run as root: started as root
# (the image's default), it runs as the prosody user.
set -eu

config="${PROSODY_CONFIG:-/etc/prosody/prosody.cfg.lua}"
accounts="${PROSODY_ACCOUNTS_FILE:-/prosody-accounts/accounts.tsv}"
domain="${LSO_XMPP_DOMAIN:-lso.local}"
tab="$(printf '\t')"

if [ -f "$accounts" ]; then
    count=0
    while IFS="$tab" read -r node password || [ -n "$node" ]; do
        [ -n "$node" ] || continue
        if [ -z "$password" ]; then
            echo "register-accounts: no password for $node in $accounts" >&2
            exit 1
        fi
        if ! printf '%s\n%s\n' "$password" "$password" \
            | prosodyctl --config "$config" register "$node" "$domain" >/dev/null; then
            echo "register-accounts: prosodyctl could not register $node@$domain" >&2
            exit 1
        fi
        count=$((count + 1))
    done < "$accounts"
    echo "register-accounts: $count accounts of $domain registered from $accounts"
else
    echo "register-accounts: no $accounts; no accounts registered (run lso xmpp init-accounts)" >&2
fi

if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=prosody --regid=prosody --init-groups prosody --config "$config" -F
fi
exec prosody --config "$config" -F
