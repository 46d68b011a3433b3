"""``lso ledger onboard | identities``: each platform party its own ledger party and ledger user.

``onboard`` is the operator's: it allocates the party, creates its user (CanActAs + CanReadAs that party only)
over the ledger's JSON API (``LSO_LEDGER_JSON_API_URL``) and stores the identity in the platform's database.
Its operator token is ``LSO_LEDGER_OPERATOR_TOKEN``, else one minted with the embedded ledger's secret of this
data directory (``<LSO_DATA_DIR>/ledger-token.secret``, as ``lso run`` made it). ``lso run`` onboards the
manufacturers and suppliers it runs by itself; customers are onboarded on their first ledger step.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from cli.ledger_identities import LedgerAuthority, configured_authority, minted_authority, operator_client
from cli.ledger_process import auth_configured
from cli.xmpp_accounts import operator
from common.settings import Settings, get_settings
from ledger.identities import (
    IdentityConflict,
    LedgerIdentities,
    LedgerIdentity,
    LedgerOnboarding,
    OnboardingError,
    PartyRef,
)
from ledger.identities.store_book import StoreIdentityBook
from ledger.identities.tokens import load_or_create_secret
from ledger.jsonapi_client import LedgerClientError
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from store.database import Database

log = logging.getLogger(__name__)


def _settings() -> Settings:
    from common.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level)
    return settings


def _authority(settings: Settings, ledger: LedgerSettings) -> LedgerAuthority:
    authority = configured_authority(settings)
    if authority.operator is not None:
        return authority
    if settings.ledger_secret_file.is_file() and not auth_configured(ledger):
        return minted_authority(settings, load_or_create_secret(settings.ledger_secret_file))
    typer.echo(
        "no operator token: set LSO_LEDGER_OPERATOR_TOKEN (a ParticipantAdmin user's token), or run this "
        f"where `lso run` keeps its embedded ledger's secret ({settings.ledger_secret_file})",
        err=True,
    )
    raise typer.Exit(1)


async def _open(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return await Database.open(settings.resolved_database_url, migrate=True)


async def _onboard(settings: Settings, who: PartyRef, actor: str) -> LedgerIdentity:
    ledger = LedgerSettings()
    authority = _authority(settings, ledger)
    assert authority.operator is not None
    db = await _open(settings)
    try:
        async with operator_client(ledger, authority.operator) as client:
            identities = LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(client), actor=actor)
            return await identities.ensure(who)
    finally:
        await db.close()


async def _list(settings: Settings, role: PartyRole | None) -> list[LedgerIdentity]:
    db = await _open(settings)
    try:
        return await StoreIdentityBook(db).all(role)
    finally:
        await db.close()


def onboard(
    role: Annotated[PartyRole, typer.Option(help="The party's role on the platform.")],
    platform_id: Annotated[
        str,
        typer.Option("--id", help="Its platform id: a customer's or manufacturer's user id, a supplier id."),
    ],
    name: Annotated[str, typer.Option(help="Display name of its ledger party.")] = "",
) -> None:
    """Give a platform party its own ledger party and user (rights for that party only), and store them;
    onboarding it again prints what is stored."""
    settings = _settings()
    actor = f"lso ledger onboard (by {operator()})"
    try:
        who = PartyRef(role=role, platform_id=platform_id, display_name=name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        identity = asyncio.run(_onboard(settings, who, actor))
    except (LedgerClientError, ConnectionError) as exc:
        typer.echo(f"not onboarded: the ledger answered {exc}", err=True)
        raise typer.Exit(1) from None
    except (OnboardingError, IdentityConflict) as exc:
        typer.echo(f"not onboarded: {exc}", err=True)
        raise typer.Exit(1) from None
    log.info("%s: %s %s signs as %s (user %s)", actor, role, platform_id, identity.party, identity.user_id)
    typer.echo(f"{role} {platform_id}: ledger party {identity.party}, ledger user {identity.user_id}")


def list_identities(
    role: Annotated[PartyRole | None, typer.Option(help="Only the parties of this role.")] = None,
) -> None:
    """List the onboarded parties: role, platform id, ledger party (as allocated), ledger user, name."""
    identities = asyncio.run(_list(_settings(), role))
    if not identities:
        typer.echo("no ledger identities")
        return
    rows = [("ROLE", "PLATFORM ID", "LEDGER PARTY", "LEDGER USER", "NAME")]
    rows += [(str(i.role), i.platform_id, i.party, i.user_id, i.display_name) for i in identities]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
        typer.echo(f"{cells}  {row[4]}".rstrip())
