"""``lso gateway add-user`` and ``lso gateway add-client``: the first admin, and machine clients,
created from the command line (the API creates them too, but only an admin may)."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Annotated

import typer

from store.enums import UserRole


async def _add_user(url: str, email: str, password: str, name: str, role: UserRole) -> str:
    from gateway.core.config import GatewaySettings
    from gateway.core.password_policy import check_new_password
    from gateway.core.passwords import hash_password_async
    from gateway.schemas.auth import AdminUserCreate
    from store.database import Database
    from store.records import NewUser

    body = AdminUserCreate(email=email, password=password, display_name=name, role=role)
    check_new_password(
        body.password,
        email=body.email,
        display_name=body.display_name,
        min_score=GatewaySettings().password_min_score,
    )
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            user = await repos.users.add(
                NewUser(
                    email=body.email,
                    display_name=body.display_name,
                    role=body.role,
                    password_hash=await hash_password_async(body.password),
                )
            )
    finally:
        await db.close()
    return user.id


async def _add_client(url: str, name: str, owner_email: str, role: UserRole) -> dict[str, str]:
    from gateway.core.passwords import hash_password_async
    from store.database import Database
    from store.records.clients import NewApiClient

    secret = secrets.token_urlsafe(32)
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            owner = await repos.users.get_by_email(owner_email)
            if owner is None:
                raise typer.BadParameter(f"no user {owner_email!r}", param_hint="--owner")
            client = await repos.api_clients.add(
                NewApiClient(
                    client_id=f"cl_{secrets.token_hex(12)}",
                    name=name,
                    secret_hash=await hash_password_async(secret),
                    role=role,
                    owner_user_id=owner.id,
                )
            )
    finally:
        await db.close()
    return {"client_id": client.client_id, "client_secret": secret, "role": str(client.role)}


def _database_url() -> str:
    from common.settings import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url


def add_user(
    email: Annotated[str, typer.Argument(help="E-mail address (the login).")],
    role: Annotated[
        UserRole, typer.Option(help="customer, manufacturer, researcher or admin.")
    ] = UserRole.ADMIN,
    name: Annotated[str, typer.Option(help="Display name; default: the e-mail address.")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters, and hard to guess.",
        ),
    ] = "",
) -> None:
    """Create a user of any role in the gateway's database (the way to the first admin)."""
    from pydantic import ValidationError

    from gateway.core.password_policy import WeakPassword
    from store.errors import ConflictError

    try:
        user_id = asyncio.run(_add_user(_database_url(), email, password, name or email, role))
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except WeakPassword as exc:
        raise typer.BadParameter(str(exc), param_hint="--password") from exc
    except ConflictError as exc:
        raise typer.BadParameter(f"a user with e-mail {email!r} exists") from exc
    typer.echo(json.dumps({"id": user_id, "email": email.strip().lower(), "role": str(role)}))


def add_client(
    name: Annotated[str, typer.Argument(help="What the machine client is, e.g. 'ERP connector'.")],
    owner: Annotated[str, typer.Option(help="E-mail of the user the client acts for.")],
    role: Annotated[
        UserRole, typer.Option(help="customer, manufacturer or researcher.")
    ] = UserRole.MANUFACTURER,
) -> None:
    """Register a machine client (OAuth client-credentials grant); prints its id and secret once."""
    if role == UserRole.ADMIN:
        raise typer.BadParameter("machine clients are never admins", param_hint="--role")
    typer.echo(json.dumps(asyncio.run(_add_client(_database_url(), name, owner, role))))
