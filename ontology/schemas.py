"""JSON Schemas of the ontology, for peers that implement the agent wire without our code.

Every content type registered with :mod:`ontology.codec` gets ``<TypeName>.json``: the JSON
Schema (draft 2020-12, from pydantic's ``model_json_schema()`` in validation mode, i.e. what a
receiver accepts) of the ``data`` member of the content envelope. ``envelope.json`` describes the
envelope itself (``ontology``, ``version``, ``type``, ``data``; see :func:`ontology.codec.encode`)
and points ``data`` at the type's schema by relative reference. The files are shipped in
``docs/schemas/`` and described by ``docs/wire.md``; regenerate them after changing a model::

    python -m ontology.schemas --out docs/schemas     # write (and remove stale *.json)
    python -m ontology.schemas --check                # exit 1 listing stale, missing, extra files

Output is deterministic: keys sorted, two-space indent, one trailing newline.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ontology
from ontology.codec import ONTOLOGY_NAME, ONTOLOGY_VERSION, Content, registered_types

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_FILE = "envelope.json"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "schemas"

_ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|obj):`~?(?:[\w.]+\.)?(\w+)`")
"""A Sphinx cross-reference in a docstring (``:class:`~ontology.common.Pong```), left as ``Pong``."""

#: What the decoder accepts as ``version``: the same major version as ours.
VERSION_PATTERN = rf"^{ONTOLOGY_VERSION.split('.')[0]}(\..*)?$"


def content_types() -> dict[str, type[Content]]:
    """Every content type the ontology package registers, by name (types that other code, such as
    tests, registers are left out). Imports every module of the package first, so none is missed."""
    for module in pkgutil.iter_modules(ontology.__path__, f"{ontology.__name__}."):
        importlib.import_module(module.name)
    prefix = f"{ontology.__name__}."
    found = {name: cls for name, cls in registered_types().items() if cls.__module__.startswith(prefix)}
    return dict(sorted(found.items()))


def schema_file(type_name: str) -> str:
    return f"{type_name}.json"


def _plain(value: Any) -> Any:
    """``value`` with the Sphinx roles of every ``description`` reduced to the plain name."""
    if isinstance(value, dict):
        return {
            key: _ROLE.sub(r"\1", item) if key == "description" and isinstance(item, str) else _plain(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def content_schema(cls: type[Content]) -> dict[str, Any]:
    """The JSON Schema of the ``data`` of content type ``cls``."""
    schema = _plain(cls.model_json_schema(mode="validation"))
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_file(cls.content_type), **schema}


def envelope_schema(type_names: Sequence[str]) -> dict[str, Any]:
    """The JSON Schema of the content envelope, ``data`` checked against the named type's schema."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": ENVELOPE_FILE,
        "title": "Content envelope",
        "description": (
            "The body of every ACL message (content language application/json): one JSON object "
            f"naming the ontology ({ONTOLOGY_NAME}), its version, the content type and the content "
            f"itself. Receivers accept any version {ONTOLOGY_VERSION.split('.')[0]}.x and ignore "
            "other members; senders write exactly these four."
        ),
        "type": "object",
        "properties": {
            "ontology": {"const": ONTOLOGY_NAME, "description": "Name of the ontology."},
            "version": {
                "type": "string",
                "pattern": VERSION_PATTERN,
                "description": f"Version of the ontology; this one writes {ONTOLOGY_VERSION}.",
                "examples": [ONTOLOGY_VERSION],
            },
            "type": {
                "enum": list(type_names),
                "description": "Content type: the name of one of the schemas next to this one.",
            },
            "data": {"type": "object", "description": "The content, as the schema <type>.json says."},
        },
        "required": ["ontology", "version", "type", "data"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": {"properties": {"data": {"$ref": schema_file(name)}}},
            }
            for name in type_names
        ],
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Every schema file: file name -> its text."""
    types = content_types()
    files = {schema_file(name): render(content_schema(cls)) for name, cls in types.items()}
    files[ENVELOPE_FILE] = render(envelope_schema(list(types)))
    return dict(sorted(files.items()))


def differences(directory: Path, files: dict[str, str] | None = None) -> list[str]:
    """What differs between ``directory``'s ``*.json`` files and the generated ones, one line each."""
    wanted = generate() if files is None else files
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    problems = [f"missing: {name}" for name in sorted(wanted.keys() - present)]
    problems += [f"extra: {name}" for name in sorted(present - wanted.keys())]
    problems += [
        f"stale: {name}"
        for name in sorted(wanted.keys() & present)
        if (directory / name).read_text(encoding="utf-8") != wanted[name]
    ]
    return problems


def write(directory: Path) -> list[str]:
    """Write every schema into ``directory`` and remove other ``*.json`` there; the files changed."""
    files = generate()
    changed = differences(directory, files)
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.json"):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ontology.schemas", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"directory (default {DEFAULT_OUT})")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 listing stale, missing or extra files"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = differences(args.out)
        for line in problems:
            print(line)
        if problems:
            print(
                f"{args.out} is out of date: run python -m ontology.schemas --out {args.out}", file=sys.stderr
            )
            return 1
        return 0
    for line in write(args.out):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
