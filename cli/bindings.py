"""``lso agents bind | unbind | bindings``: which party an XMPP account may act for, in the store.

An agent believes only the JID the XMPP server stamped on a message; what that JID may do is what its
bindings say (see ``agents/runtime/directory.py``). ``lso run`` binds the agents it runs; these commands are
the admin's for every other account (a manufacturer's own agent, a customer's, a supplier's).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from cli.roster import jid_of
from cli.xmpp_accounts import operator
from common.settings import Settings, get_settings
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.records import BindingRecord, NewBinding
from store.repositories import Repositories

log = logging.getLogger(__name__)

JID_ARGUMENT = typer.Argument(help="The agent's bare JID (or its account name in the platform's domain).")


class BindingRefused(ValueError):
    """The binding names a party that cannot hold it."""


def _settings() -> Settings:
    from common.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level)
    return settings


def _jid(name: str, settings: Settings) -> str:
    if "@" not in name:
        try:
            return jid_of(name, settings)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="JID") from None
    return name


async def _open(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return await Database.open(settings.resolved_database_url, migrate=True)


async def check_party(repos: Repositories, role: AgentRole, party_id: str) -> None:
    """:class:`BindingRefused` unless ``party_id`` can be bound in ``role``: a manufacturer or customer
    binding names an existing user of that role (``*`` only for customers: the gateway's bridge), a supplier
    binding a supplier id or ``*`` (a proxy host), a platform binding the service's name."""
    if party_id == ANY_PARTY:
        if role in (AgentRole.CUSTOMER, AgentRole.SUPPLIER):
            return
        raise BindingRefused(f"a {role} binding names one party, never {ANY_PARTY!r}")
    if role in (AgentRole.MANUFACTURER, AgentRole.CUSTOMER):
        user = await repos.users.get(party_id)
        if user is None:
            raise BindingRefused(f"there is no user {party_id!r}")
        if str(user.role) != str(role):
            raise BindingRefused(f"the user {party_id} ({user.email}) is a {user.role}, not a {role}")


async def _bind(settings: Settings, new: NewBinding) -> tuple[BindingRecord, bool]:
    db = await _open(settings)
    try:
        async with db.transaction() as repos:
            await check_party(repos, new.role, new.party_id)
            return await repos.bindings.bind(new)
    finally:
        await db.close()


async def _unbind(settings: Settings, jid: str, role: AgentRole | None, party: str | None) -> int:
    db = await _open(settings)
    try:
        async with db.transaction() as repos:
            return await repos.bindings.unbind(jid, role, party)
    finally:
        await db.close()


async def _list(settings: Settings, role: AgentRole | None) -> list[BindingRecord]:
    db = await _open(settings)
    try:
        async with db.transaction(flush_acl_log=False) as repos:
            return await repos.bindings.list_all(role)
    finally:
        await db.close()


def bind(
    jid: Annotated[str, JID_ARGUMENT],
    role: Annotated[AgentRole, typer.Option(help="What the JID acts as.")],
    party: Annotated[
        str,
        typer.Option(
            help="Whom it acts for: the user id of a manufacturer or customer (`*` for the gateway's "
            "customer agent, acting for every customer), a supplier id (`*`: a proxy host), a platform "
            "service's name."
        ),
    ],
    note: Annotated[str, typer.Option(help="Why, for whoever reads the bindings later.")] = "",
) -> None:
    """Let an XMPP account act for a party in a role (agents check it on every message they take)."""
    settings = _settings()
    actor = f"lso agents bind (by {operator()})"
    try:
        new = NewBinding(jid=_jid(jid, settings), role=role, party_id=party, created_by=actor, note=note)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        record, created = asyncio.run(_bind(settings, new))
    except BindingRefused as exc:
        typer.echo(f"not bound: {exc}", err=True)
        raise typer.Exit(1) from None
    if created:
        log.info("%s bound %s as %s for %s", actor, record.jid, record.role, record.party_id)
        typer.echo(f"bound {record.jid} as {record.role} for {record.party_id}")
    else:
        typer.echo(
            f"{record.jid} was bound as {record.role} for {record.party_id} already (by {record.created_by})"
        )


def unbind(
    jid: Annotated[str, JID_ARGUMENT],
    role: Annotated[AgentRole | None, typer.Option(help="Only the bindings of this role.")] = None,
    party: Annotated[str | None, typer.Option(help="Only the bindings for this party.")] = None,
) -> None:
    """Remove bindings of an XMPP account (all of them unless --role/--party narrow it down); agents stop
    honouring them within LSO_DIRECTORY_TTL_SECONDS."""
    settings = _settings()
    bare = _jid(jid, settings)
    removed = asyncio.run(_unbind(settings, bare, role, party))
    what = " ".join(filter(None, [f"as {role}" if role else "", f"for {party}" if party else ""]))
    if removed:
        log.info("lso agents unbind (by %s) removed %d bindings of %s %s", operator(), removed, bare, what)
        typer.echo(f"removed {removed} binding{'s' if removed != 1 else ''} of {bare} {what}".rstrip())
    else:
        typer.echo(f"no binding of {bare} {what} to remove".replace("  ", " "))


def list_bindings(
    role: Annotated[AgentRole | None, typer.Option(help="Only the bindings of this role.")] = None,
) -> None:
    """List the bindings: JID, role, party, when and by whom, note."""
    settings = _settings()
    records = asyncio.run(_list(settings, role))
    if not records:
        typer.echo("no bindings")
        return
    rows = [("JID", "ROLE", "PARTY", "CREATED", "BY", "NOTE")]
    rows += [
        (r.jid, str(r.role), r.party_id, r.created_at.isoformat(timespec="seconds"), r.created_by, r.note)
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5]))
        typer.echo(f"{cells}  {row[5]}".rstrip())
