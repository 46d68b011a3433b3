"""Run the Alembic migrations programmatically (``python -m store.migrate upgrade [--url URL]``).

The async functions run Alembic in a worker thread (its ``env.py`` starts its own event loop for the
async drivers), so they can be awaited from running async code; the ``*_sync`` variants are for
plain scripts and must not be called while an event loop runs in the calling thread.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from store.engine import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = MIGRATIONS_DIR / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration shipped with the package; ``url`` overrides the settings' database."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logger"] = False
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head() -> str:
    """The newest revision of the migration scripts."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package ships at least one revision
        raise RuntimeError("no migration revisions found")
    return revision


def upgrade_sync(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade_sync(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (creating the schema in an empty database)."""
    await asyncio.to_thread(upgrade_sync, url, revision)


async def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``"base"`` drops every table)."""
    await asyncio.to_thread(downgrade_sync, url, revision)


async def current(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()


def current_sync(url: str) -> str | None:
    return asyncio.run(current(url))


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m store.migrate", description=__doc__)
    parser.add_argument("action", choices=("upgrade", "downgrade", "current"))
    parser.add_argument("revision", nargs="?", default=None, help="target revision (upgrade: head)")
    parser.add_argument(
        "--url", default=None, help="database URL (default: LSO_DATABASE_URL / the SQLite file)"
    )
    args = parser.parse_args(argv)
    url = args.url
    if url is None:
        from common.settings import get_settings

        url = get_settings().resolved_database_url
    if args.action == "upgrade":
        upgrade_sync(url, args.revision or "head")
    elif args.action == "downgrade":
        if args.revision is None:
            parser.error("downgrade needs a revision (e.g. base, or -1)")
        downgrade_sync(url, args.revision)
    print(current_sync(url) or "<empty database>")


if __name__ == "__main__":
    main()
