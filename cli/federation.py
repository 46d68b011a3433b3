"""``lso federation ...`` (the local EFPF stand-in, its data set) and ``lso suppliers search``
(the three EFPF steps through the same clients the matchmaker uses).

The lead mounts ``federation_app`` as ``lso federation`` and ``suppliers_app`` as ``lso suppliers``;
``python -m cli.federation {federation|suppliers} ...`` runs them without ``lso``.
Settings come from ``LSO_EFPF_*`` variables (see ``federation/settings.py``).
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from common.logging import configure_logging
from federation.dataset.generator import DEFAULT_COUNT, DEFAULT_SEED
from federation.errors import FederationError
from federation.mapping import FoundSupplier
from federation.settings import FederationSettings
from ontology.codec import problems
from ontology.process import ProcessKind, QualityLevel

federation_app = typer.Typer(
    help="The local EFPF federation service and its supplier data set.", no_args_is_help=True
)
suppliers_app = typer.Typer(
    help="Suppliers found through EFPF (token, registry, federated search).", no_args_is_help=True
)


def _settings(**overrides: object) -> FederationSettings:
    settings = FederationSettings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def _fail(exc: FederationError) -> typer.Exit:
    typer.echo(f"error ({exc.reason}): {exc}", err=True)
    return typer.Exit(2)


@federation_app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="Loopback address [LSO_EFPF_SERVICE_HOST, 127.0.0.1].")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port, 0 for a free one [LSO_EFPF_SERVICE_PORT, 8470].")
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option(help="Supplier data set, .json or .csv [LSO_EFPF_SERVICE_DATASET, shipped]."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Directory of the signing key [LSO_EFPF_SERVICE_DATA_DIR].")
    ] = None,
) -> None:
    """Run the local federation service (identity provider, service registry, federated search)."""
    from federation.service.serve import serve as run

    configure_logging("WARNING")
    settings = _settings(
        service_host=host, service_port=port, service_dataset=dataset, service_data_dir=data_dir
    )

    def announce(url: str) -> None:
        typer.echo(f"Local EFPF federation service at {url}")
        typer.echo(f"  token endpoint  {url}/auth/realms/{settings.realm}/protocol/openid-connect/token")
        typer.echo(f"  registry        {url}/apis/sr/")
        typer.echo(f"  search          {url}/apis/search/party/select")
        typer.echo(f"  API docs        {url}/docs")
        typer.echo("Press Ctrl+C to stop.")

    asyncio.run(run(settings, announce=announce))


@federation_app.command("dataset")
def dataset(
    out: Annotated[Path, typer.Argument(help="File to write: .json or .csv.")],
    seed: Annotated[int, typer.Option(help="Generator seed.")] = DEFAULT_SEED,
    count: Annotated[int, typer.Option(min=1, max=100_000, help="Number of suppliers.")] = DEFAULT_COUNT,
) -> None:
    """Write a generated supplier data set (the shipped one: default seed and count, .json)."""
    from federation.dataset.generator import generate
    from federation.dataset.loader import render_csv, render_json

    generated = generate(seed, count)
    text = render_csv(generated) if out.suffix.lower() == ".csv" else render_json(generated)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(generated.suppliers)} suppliers to {out}")


@federation_app.command("token")
def token() -> None:
    """Print an EFPF access token for the configured account (step 1), e.g. for curl."""
    from federation.http import make_http_client
    from federation.identity import IdentityClient

    async def fetch() -> str:
        settings = _settings()
        async with make_http_client(settings) as http:
            return await IdentityClient(settings, http).token()

    try:
        typer.echo(asyncio.run(fetch()))
    except FederationError as exc:
        raise _fail(exc) from exc


@federation_app.command("services")
def services() -> None:
    """List the service registry's entries (step 2)."""
    from federation.matchmaking import EfpfMatchmaker

    async def fetch() -> list[str]:
        async with EfpfMatchmaker(_settings()) as matchmaker:
            found = await matchmaker.registry.services()
        return [
            f"{service.id}  [{service.type}]  {service.title}"
            + "".join(f"\n    {api.protocol} {api.url}" for api in service.apis)
            for service in found
        ]

    try:
        for line in asyncio.run(fetch()):
            typer.echo(line)
    except FederationError as exc:
        raise _fail(exc) from exc


@suppliers_app.command("search")
def search(
    process: Annotated[ProcessKind | None, typer.Option(help="Process the supplier must run.")] = None,
    material: Annotated[str | None, typer.Option(help="Material (for that process).")] = None,
    quality: Annotated[QualityLevel | None, typer.Option(help="Quality the process must reach.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-2 code, e.g. DE.")] = None,
    certification: Annotated[
        list[str] | None, typer.Option(help="Required certification (repeatable).")
    ] = None,
    min_rating: Annotated[float | None, typer.Option(min=0, max=5, help="Lowest rating.")] = None,
    text: Annotated[str | None, typer.Option(help="Free text (every word must match).")] = None,
    max_results: Annotated[int, typer.Option(min=1, max=100_000, help="Most suppliers to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Search suppliers through EFPF: token, registry, federated search."""
    from federation.matchmaking import EfpfMatchmaker
    from federation.search import SearchQuery, SearchResult

    configure_logging("WARNING")
    try:
        query = SearchQuery(
            process=process,
            material=material,
            quality=quality,
            country=country.upper() if country else None,
            certifications=tuple(certification or ()),
            min_rating=min_rating,
            text=text,
        )
    except ValidationError as exc:
        raise typer.BadParameter(problems(exc)) from exc

    async def run() -> SearchResult:
        async with EfpfMatchmaker(_settings()) as matchmaker:
            return await matchmaker.search(query, max_results=max_results)

    try:
        result = asyncio.run(run())
    except FederationError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "total": result.total,
                    "suppliers": [_as_json(found, process) for found in result.suppliers],
                    "skipped": result.skipped,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not result.suppliers:
        typer.echo("No supplier matches.")
        return
    typer.echo(_table(result.suppliers, process))
    shown = len(result.suppliers)
    typer.echo(
        f"{shown} of {result.total} supplier(s) found"
        + (f", {len(result.skipped)} skipped" if result.skipped else "")
    )


def _as_json(found: FoundSupplier, process: ProcessKind | None) -> dict[str, object]:
    body: dict[str, object] = {**found.supplier.model_dump(mode="json"), "currency": found.currency}
    body["prices"] = {
        str(kind): price.model_dump(mode="json")
        for kind, price in found.prices.items()
        if process is None or kind == process
    }
    return body


def _table(suppliers: list[FoundSupplier], process: ProcessKind | None) -> str:
    header = [
        "id",
        "name",
        "country",
        "city",
        "rating",
        "lead days",
        "EUR/h",
        "materials" if process else "processes",
    ]
    rows: list[list[str]] = []
    for found in suppliers:
        supplier = found.supplier
        capability = supplier.capability(process) if process else None
        price = found.prices.get(process) if process else None
        rate: Decimal | None = price.hourly_rate if price else None
        rows.append(
            [
                supplier.id,
                supplier.name,
                supplier.location.country,
                supplier.location.city,
                "-" if supplier.rating is None else f"{supplier.rating:.1f}",
                str(capability.lead_time_days) if capability else "-",
                f"{rate:.2f}" if rate is not None else "-",
                ", ".join(capability.materials)
                if capability
                else ", ".join(sorted(str(kind) for kind in supplier.processes)),
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


app = typer.Typer(help="EFPF commands without `lso`.", no_args_is_help=True)
app.add_typer(federation_app, name="federation")
app.add_typer(suppliers_app, name="suppliers")

if __name__ == "__main__":
    app()
