"""The ``lso`` command: runs the platform and its parts."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.bindings import bind, list_bindings, unbind
from cli.federation import federation_app, suppliers_app
from cli.gateway_admin import add_client, add_user
from cli.ledger import ledger_app
from cli.report import report
from cli.simulate import simulate_command
from cli.xmpp_accounts import add_account, init_accounts, list_accounts, remove_account, show_password
from common.logging import configure_logging
from common.settings import RunProcesses, Settings, XmppMode, get_settings

app = typer.Typer(help="Lot-size-one negotiation platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
xmpp_app = typer.Typer(help="The XMPP server and the platform's XMPP accounts.", no_args_is_help=True)
agents_app = typer.Typer(help="The platform's agents.", no_args_is_help=True)
gateway_app = typer.Typer(help="The REST gateway.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(xmpp_app, name="xmpp")
app.add_typer(agents_app, name="agents")
app.add_typer(gateway_app, name="gateway")
gateway_app.command("add-user")(add_user)
gateway_app.command("add-client")(add_client)
xmpp_app.command("add-account")(add_account)
xmpp_app.command("remove-account")(remove_account)
xmpp_app.command("accounts")(list_accounts)
xmpp_app.command("show-password")(show_password)
xmpp_app.command("init-accounts")(init_accounts)
agents_app.command("bind")(bind)
agents_app.command("unbind")(unbind)
agents_app.command("bindings")(list_bindings)
app.add_typer(federation_app, name="federation")
app.add_typer(suppliers_app, name="suppliers")
app.add_typer(ledger_app, name="ledger")
app.command("simulate")(simulate_command)
app.command("report")(report)


#: Settings that no longer exist, and what replaced them.
RETIRED_SETTINGS = {
    "LSO_XMPP_PASSWORD": "every XMPP account has its own random password in the account book "
    "(LSO_XMPP_ACCOUNTS_FILE; `lso xmpp add-account`, `lso xmpp init-accounts`), or in LSO_XMPP_PASSWORDS",
    "LSO_XMPP_AUTO_REGISTER": "no account registers itself any more: `lso run` creates the accounts of its "
    "agents, an admin creates any other with `lso xmpp add-account`",
    "LSO_GATEWAY_LOGIN_MAX_ATTEMPTS": "failed logins no longer lock an account: the failing client waits, "
    "see LSO_GATEWAY_LOGIN_FAILURES_BEFORE_DELAY",
    "LSO_GATEWAY_LOGIN_LOCK_SECONDS": "failed logins no longer lock an account: the failing client waits, "
    "at most LSO_GATEWAY_LOGIN_MAX_DELAY_SECONDS",
}


@app.callback()
def warn_about_retired_settings() -> None:
    """Lot-size-one negotiation platform."""
    for name in sorted(_retired_settings_in_use()):
        typer.echo(f"warning: {name} is set but ignored now: {RETIRED_SETTINGS[name]}", err=True)


def _retired_settings_in_use() -> set[str]:
    found = {name for name in RETIRED_SETTINGS if name in os.environ}
    try:
        lines = Path(".env").read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for line in lines:
        name = line.removeprefix("export ").split("=", 1)[0].strip()
        if name in RETIRED_SETTINGS:
            found.add(name)
    return found


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level)
    return settings


@app.command()
def run() -> None:
    """Start everything on the configured defaults: database, accounts, XMPP server, agents, gateway (the
    agents and the gateway in supervised processes of their own unless LSO_RUN_PROCESSES=single)."""
    from cli.launcher import run_until_stopped
    from cli.split_run import run_split

    settings = _settings()
    if settings.run_processes is RunProcesses.SPLIT:
        _run_platform(run_split(settings, lambda text: typer.echo(text)), "lso run")
        return
    _run_platform(run_until_stopped(settings, lambda text: typer.echo(text)), "lso run")


@app.command("config")
def show_config() -> None:
    """Print the effective configuration (secrets masked)."""
    settings = get_settings()
    values = json.loads(settings.model_dump_json())
    values["database_url"] = settings.resolved_database_url
    typer.echo(json.dumps(values, indent=2, sort_keys=True))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or upgrade the database schema."""
    from store.migrate import current, upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    asyncio.run(upgrade(url, revision))
    typer.echo(f"database at revision {asyncio.run(current(url))}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    from store.migrate import current

    revision = asyncio.run(current(_settings().resolved_database_url))
    typer.echo(revision or "empty database (run `lso db upgrade`)")


@xmpp_app.command("serve")
def xmpp_serve() -> None:
    """Run only the embedded XMPP server (pyjabber) on the configured loopback address."""
    from agents.runtime.embedded_server import serve_embedded

    asyncio.run(serve_embedded(_settings()))


@xmpp_app.command("cert")
def xmpp_cert(
    domain: Annotated[str, typer.Argument(help="XMPP domain the certificate is for.")],
    out: Annotated[Path, typer.Option(help="Directory for <domain>.crt and <domain>.key.")] = Path("certs"),
    key_mode: Annotated[
        str, typer.Option(help="Octal file mode of the key (644 lets another user read it).")
    ] = "600",
    public_out: Annotated[
        Path | None,
        typer.Option(
            help="Also copy the certificate (never the key) to this directory, for the clients that verify "
            "the server with it (LSO_XMPP_CA_FILE)."
        ),
    ] = None,
) -> None:
    """Write a self-signed certificate for an XMPP server (development and compose deployments)."""
    import shutil

    from agents.runtime.certs import ensure_self_signed

    out.mkdir(parents=True, exist_ok=True)
    cert, key = out / f"{domain}.crt", out / f"{domain}.key"
    ensure_self_signed(cert, key, domain)
    key.chmod(int(key_mode, 8))
    typer.echo(f"{cert}\n{key}")
    if public_out is not None:
        public_out.mkdir(parents=True, exist_ok=True)
        copy = public_out / cert.name
        shutil.copyfile(cert, copy)
        copy.chmod(0o644)
        typer.echo(str(copy))


@agents_app.command("run")
def agents_run() -> None:
    """Run the platform's agents against the configured XMPP server (no gateway)."""
    from cli.launcher import run_until_stopped

    settings = _settings()
    if settings.xmpp_mode is XmppMode.EMBEDDED:
        typer.echo("LSO_XMPP_MODE=embedded: also starting the embedded XMPP server", err=True)
    running = run_until_stopped(
        settings, lambda text: typer.echo(text), actor="lso agents run", with_gateway=False
    )
    _run_platform(running, "lso agents run")


def _run_platform(running: Coroutine[Any, Any, None], command: str) -> None:
    """Run until stopped; an agent that cannot log in ends the command with its reason, not a traceback."""
    try:
        asyncio.run(running)
    except ConnectionError as exc:
        typer.echo(f"{command}: {exc}", err=True)
        raise typer.Exit(1) from None


@gateway_app.command("serve")
def gateway_serve() -> None:
    """Run only the REST gateway (its bridge's agents connect to the configured XMPP server)."""
    from cli.launcher import serve_gateway_only

    settings = _settings()
    asyncio.run(serve_gateway_only(settings, lambda text: typer.echo(text)))


if __name__ == "__main__":
    app()
