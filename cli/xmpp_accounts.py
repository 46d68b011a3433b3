"""``lso xmpp add-account | remove-account | accounts | show-password | init-accounts``: the admin creates the
platform's XMPP accounts; nothing registers itself.

Each account's password is in the account book (``LSO_XMPP_ACCOUNTS_FILE``, mode 0600). The account itself is
created on the server too when this command can reach its accounts: the embedded server's database (in
embedded mode, whether the server runs or not), or Prosody through ``prosodyctl`` (``--prosodyctl-config``, on
the Prosody host). Otherwise the command says what the server's admin must do. Passwords are printed only by
``show-password``, and only to stdout, and the file ``init-accounts --prosody-accounts`` writes.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from agents.runtime.accounts.book import AccountBook, AccountBookError, AccountMissing, node_of
from agents.runtime.accounts.provision import AccountServer, ProsodyctlAccounts
from cli.roster import account_server, roster
from common.settings import Settings, XmppMode, get_settings

log = logging.getLogger(__name__)

PROSODYCTL_CONFIG = typer.Option(
    "--prosodyctl-config",
    help="Prosody's configuration file: create (or remove) the account on that Prosody with prosodyctl "
    "(run this on the Prosody host).",
    exists=True,
    dir_okay=False,
)


def operator() -> str:
    """Who runs this command, for the logs (the OS user; the uid when it has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _actor(command: str) -> str:
    return f"lso xmpp {command} (by {operator()})"


def _settings() -> Settings:
    from common.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level)
    return settings


def _node(name: str, settings: Settings) -> str:
    try:
        return node_of(name, settings.xmpp_domain)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from None


def _server(settings: Settings, prosodyctl_config: Path | None) -> tuple[AccountServer | None, str]:
    """The server this command can create accounts on, and its description for the output."""
    if prosodyctl_config is not None:
        return ProsodyctlAccounts(prosodyctl_config, settings.xmpp_domain), f"Prosody ({prosodyctl_config})"
    server = account_server(settings)
    if server is not None:
        return server, "the embedded XMPP server"
    return None, ""


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def add_account(
    name: Annotated[str, typer.Argument(help="Account name (node) or JID of the platform's XMPP domain.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    prosodyctl_config: Annotated[Path | None, PROSODYCTL_CONFIG] = None,
) -> None:
    """Create an XMPP account: its password (random unless --password-stdin) in the account book, and the
    account on the server (embedded mode; Prosody with --prosodyctl-config; otherwise says what to do)."""
    settings = _settings()
    node = _node(name, settings)
    given: str | None = None
    if password_stdin:
        given = sys.stdin.readline().rstrip("\r\n")
        if len(given) < 12:
            raise _fail("the password read from stdin is shorter than 12 characters")
        if any(ord(c) < 32 or ord(c) == 127 for c in given):
            raise _fail("the password read from stdin holds a control character (a tab?)")
    actor = _actor("add-account")
    server, where = _server(settings, prosodyctl_config)
    try:
        password, changed = AccountBook.of(settings).create(node, given, actor=actor)
        if server is not None:
            asyncio.run(server.create_account(node, password))
    except (AccountBookError, RuntimeError) as exc:
        raise _fail(f"could not create {node}@{settings.xmpp_domain}: {exc}") from None
    jid = f"{node}@{settings.xmpp_domain}"
    book = AccountBook.of(settings).path
    typer.echo(f"{jid}: password {'set' if changed else 'unchanged'} in the account book {book}")
    if server is not None:
        log.info("%s created or updated the XMPP account %s on %s", actor, jid, where)
        typer.echo(f"{jid}: account created (or given that password) on {where}")
        if settings.xmpp_mode is XmppMode.EMBEDDED and prosodyctl_config is None:
            typer.echo("  (a stopped embedded server takes it from the book when it starts)")
    else:
        typer.echo(
            f"{jid}: the XMPP server at {settings.xmpp_host}:{settings.xmpp_port} is external and this "
            f"command cannot reach its accounts: its admin must create the account {jid} there with the "
            f"password of the book (`lso xmpp show-password {node}` prints it), or run this command again "
            "on the Prosody host with --prosodyctl-config"
        )


def remove_account(
    name: Annotated[str, typer.Argument(help="Account name (node) or JID of the platform's XMPP domain.")],
    prosodyctl_config: Annotated[Path | None, PROSODYCTL_CONFIG] = None,
) -> None:
    """Remove an XMPP account: from the account book and from the server (as add-account reaches it).
    Its bindings stay until `lso agents unbind`."""
    settings = _settings()
    node = _node(name, settings)
    jid = f"{node}@{settings.xmpp_domain}"
    actor = _actor("remove-account")
    server, where = _server(settings, prosodyctl_config)
    book = AccountBook.of(settings)
    try:
        removed = book.remove(node, actor=actor)
        if server is not None:
            asyncio.run(server.remove_account(node))
    except (AccountBookError, RuntimeError) as exc:
        raise _fail(f"could not remove {jid}: {exc}") from None
    typer.echo(f"{jid}: {'removed from' if removed else 'was not in'} the account book {book.path}")
    if node in settings.xmpp_passwords:
        typer.echo(f"{jid}: its password is still given by LSO_XMPP_PASSWORDS")
    if server is not None:
        log.info("%s removed the XMPP account %s from %s", actor, jid, where)
        typer.echo(f"{jid}: account removed from {where}")
    else:
        typer.echo(f"{jid}: the XMPP server is external: its admin must delete the account {jid} there")
    typer.echo(f"its bindings stay: `lso agents bindings` lists them, `lso agents unbind {jid}` removes them")


def list_accounts() -> None:
    """List the accounts of the account book (and LSO_XMPP_PASSWORDS) with their creation dates; never a
    password."""
    settings = _settings()
    book = AccountBook.of(settings)
    try:
        nodes = list(book.accounts())
    except AccountBookError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"# account book {book.path} (XMPP domain {settings.xmpp_domain})")
    if not nodes:
        typer.echo("# no accounts: `lso xmpp init-accounts` or `lso xmpp add-account NAME` creates them")
    for node in nodes:
        source = "LSO_XMPP_PASSWORDS" if node in settings.xmpp_passwords else book.created_at(node) or "?"
        typer.echo(f"{node}@{settings.xmpp_domain}\t{source}")


def show_password(
    name: Annotated[str, typer.Argument(help="Account name (node) or JID of the platform's XMPP domain.")],
) -> None:
    """Print the password of an account (to create it on an external XMPP server by hand)."""
    settings = _settings()
    node = _node(name, settings)
    try:
        password = AccountBook.of(settings).require(node)
    except (AccountMissing, AccountBookError) as exc:
        raise _fail(str(exc)) from None
    log.warning("%s showed the password of %s@%s", _actor("show-password"), node, settings.xmpp_domain)
    typer.echo(password)


def init_accounts(
    prosody_accounts: Annotated[
        Path | None,
        typer.Option(
            "--prosody-accounts",
            help="Also write the accounts as `node<TAB>password` lines to this file, for a Prosody that "
            "registers them when it starts (docker-compose).",
            dir_okay=False,
        ),
    ] = None,
    mode: Annotated[str, typer.Option(help="Octal file mode of the --prosody-accounts file.")] = "600",
) -> None:
    """Create the accounts of every agent `lso run` runs (the platform's services, one per manufacturer
    policy, the gateway's bridge) in the account book, and on the embedded server in embedded mode."""
    try:
        file_mode = int(mode, 8)
    except ValueError:
        raise typer.BadParameter(f"{mode!r} is not an octal mode", param_hint="--mode") from None
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    actor = _actor("init-accounts")
    try:
        passwords = asyncio.run(_init_accounts(settings, actor, warn=prosody_accounts is None))
    except AccountBookError as exc:
        raise _fail(str(exc)) from None
    for node in passwords:
        typer.echo(f"{node}@{settings.xmpp_domain}")
    embedded = account_server(settings) is not None
    where = "the account book and the embedded XMPP server" if embedded else "the account book"
    typer.echo(f"{len(passwords)} accounts in {where} ({AccountBook.of(settings).path})")
    if not embedded and prosody_accounts is None:
        typer.echo(
            "the XMPP server is external: its admin creates these accounts there with the passwords of the "
            "book (`lso xmpp show-password NAME`), or lets Prosody register them from --prosody-accounts"
        )
    if prosody_accounts is not None:
        unfit = [node for node, password in passwords.items() if any(c in password for c in "\t\r\n")]
        if unfit:
            raise _fail(f"passwords of {', '.join(unfit)} hold a tab or line break: not written for Prosody")
        _write_private(prosody_accounts, "".join(f"{n}\t{p}\n" for n, p in passwords.items()), file_mode)
        log.info("%s wrote the accounts for Prosody to %s", actor, prosody_accounts)
        typer.echo(f"wrote {len(passwords)} accounts for Prosody to {prosody_accounts} (mode {mode})")


async def _init_accounts(settings: Settings, actor: str, *, warn: bool) -> dict[str, str]:
    from cli.roster import provision_accounts
    from store.database import Database

    db = await Database.open(settings.resolved_database_url, migrate=True)
    try:
        planned = await roster(settings, db)
    finally:
        await db.close()
    return await provision_accounts(settings, [agent.jid for agent in planned], actor=actor, warn=warn)


def _write_private(path: Path, text: str, mode: int) -> None:
    """Write ``text`` to ``path`` atomically, never readable by anyone else on the way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(temporary, mode)
    os.replace(temporary, path)
