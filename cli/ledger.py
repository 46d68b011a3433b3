"""``lso ledger ...``: the embedded DAML ledger (serve it, verify its log, write the model's DAR).

The lead mounts ``ledger_app`` as ``lso ledger``; ``python -m cli.ledger ...`` runs it without ``lso``.
Settings come from ``LSO_LEDGER_*`` variables (see ``ledger/settings.py``); options override them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.ledger_onboard import list_identities, onboard
from ledger.settings import LedgerSettings

ledger_app = typer.Typer(
    help="The embedded DAML ledger (HTTP JSON API v1 and gRPC Ledger API v1).", no_args_is_help=True
)
ledger_app.command("onboard")(onboard)
ledger_app.command("identities")(list_identities)


def _settings(**overrides: object) -> LedgerSettings:
    settings = LedgerSettings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


@ledger_app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Loopback address [LSO_LEDGER_HOST, 127.0.0.1].")] = None,
    json_api_port: Annotated[
        int | None, typer.Option(help="JSON API port, 0 for a free one [LSO_LEDGER_JSON_API_PORT, 7575].")
    ] = None,
    grpc_port: Annotated[
        int | None, typer.Option(help="gRPC Ledger API port, 0 for a free one [LSO_LEDGER_GRPC_PORT, 6865].")
    ] = None,
    grpc: Annotated[
        bool | None,
        typer.Option("--grpc/--no-grpc", help="Serve the gRPC Ledger API [LSO_LEDGER_GRPC_ENABLED]."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Directory of ledger.db [LSO_LEDGER_DATA_DIR].")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="SQLAlchemy async URL, overrides the data dir [LSO_LEDGER_DATABASE_URL]."),
    ] = None,
) -> None:
    """Run the embedded ledger until Ctrl+C / SIGTERM; prints one JSON line with its endpoints when ready.

    Unless ``LSO_LEDGER_AUTH_*`` configure how it verifies tokens, it verifies them as under ``lso run``:
    HS256 tokens of the platform's ledger secret (``LSO_LEDGER_SECRET_FILE``, default
    ``<LSO_DATA_DIR>/ledger-token.secret``), with ``LSO_LEDGER_OPERATOR_USER`` as its ParticipantAdmin. So a
    ledger ``lso run`` started can be served again by hand with the same data and the same tokens."""
    from cli.ledger_identities import platform_secret
    from cli.ledger_process import auth_configured, platform_ledger_settings
    from common.settings import Settings
    from ledger.server import print_ready
    from ledger.server import serve as run

    settings = _settings(
        host=host,
        json_api_port=json_api_port,
        grpc_port=grpc_port,
        grpc_enabled=grpc,
        data_dir=data_dir,
        database_url=database_url,
    )
    if not auth_configured(settings):
        platform = Settings()
        settings = platform_ledger_settings(
            settings, platform_secret(platform), platform.ledger_operator_user
        )
        typer.echo(
            f"verifying tokens of the platform's ledger secret ({platform.ledger_secret_file}); "
            f"{platform.ledger_operator_user} is the operator",
            err=True,
        )
    asyncio.run(run(settings, print_ready))


@ledger_app.command("verify")
def verify(
    data_dir: Annotated[
        Path | None, typer.Option(help="Directory of ledger.db [LSO_LEDGER_DATA_DIR].")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy async URL [LSO_LEDGER_DATABASE_URL].")
    ] = None,
) -> None:
    """Verify a stopped ledger: the hash chain of its transaction log, and its active contract set (every
    row of the contracts table must be what replaying the log gives). Exits 1 naming each contract that
    differs."""
    from ledger.engine.storage import Storage
    from ledger.engine.verify import VerifyReport, verify_store

    settings = _settings(data_dir=data_dir, database_url=database_url)

    async def check() -> VerifyReport:
        # the store as it is: EmbeddedLedger.open would refuse a broken one before we could say why
        storage = Storage(settings.resolved_database_url)
        try:
            await storage.create()
            return await verify_store(storage)
        finally:
            await storage.close()

    report = asyncio.run(check())
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"BROKEN: {problem}", err=True)
        if report.problem_count > len(report.problems):
            typer.echo(f"BROKEN: ... {report.problem_count - len(report.problems)} more", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"ok: {report.transactions} transactions, hash chain intact; "
        f"{report.active_contracts} active contracts match the log"
    )


@ledger_app.command("model")
def model() -> None:
    """Print the DAML model (templates, fields, signatories, choices) as JSON."""
    from ledger.engine import MODEL

    typer.echo(json.dumps(MODEL.describe(), indent=2))


@ledger_app.command("dar")
def dar(out: Annotated[Path, typer.Option(help="DAR file to write.")] = Path("lot-size-one.dar")) -> None:
    """Write the model's DAR (DAML-LF built in Python), as deployed through the JSON API."""
    from ledger.lf.dar import write_dar

    package_id = write_dar(out)
    typer.echo(f"wrote {out} (package {package_id})")


@ledger_app.command("info")
def info() -> None:
    """Print the effective ledger settings (secrets masked)."""
    settings = LedgerSettings()
    values = json.loads(settings.model_dump_json())
    values["database_url"] = settings.resolved_database_url
    typer.echo(json.dumps(values, indent=2, sort_keys=True))


if __name__ == "__main__":
    ledger_app()
