"""docs/architecture.md is the rule of the house, and the code keeps it.

Its table says which package may import which; every module of every package is read with ``ast`` and each
import of one of our packages (at the top, inside a function or under ``TYPE_CHECKING`` alike) is checked
against the table. Every package has a page in docs/packages/ that repeats its rule, names every folder and
every top-level module of the package, and names only files that exist.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ARCHITECTURE = DOCS / "architecture.md"
DOCUMENTS = [ARCHITECTURE, *sorted((DOCS / "packages").glob("*.md"))]
TOP_LEVEL = frozenset(path.name for path in ROOT.iterdir() if path.is_dir() and not path.name.startswith("."))

RULE_ROW = re.compile(
    r"^\| \[`(?P<package>\w+)/`\]\((?P<page>packages/\w+\.md)\) \| [^|]* \| (?P<allowed>[^|]*) \|$",
    re.MULTILINE,
)
README_ROW = re.compile(r"^\| `(\w+)/` \| ", re.MULTILINE)
MAY_IMPORT = re.compile(r"^\*\*May import:\*\*(.*)$", re.MULTILINE)
ARROW = re.compile(r"^\s*(\w+) --> (\w+)\s*$", re.MULTILINE)
TICKED = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"^\w[\w.-]*(/[\w.-]+)*/?$")
LINK = re.compile(r"\]\(([^)\s#]+)(#[^)]*)?\)")
SOURCE_SUFFIXES = {".py", ".js", ".mjs"}
NOT_SOURCE_FOLDERS = {"__pycache__", "node_modules"}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def rules() -> dict[str, frozenset[str]]:
    """Each package of the architecture's table, and the packages it may import."""
    return {
        row["package"]: frozenset(name.rstrip("/") for name in TICKED.findall(row["allowed"]))
        for row in RULE_ROW.finditer(_text(ARCHITECTURE))
    }


def python_packages() -> set[str]:
    """The packages the project installs (pyproject's ``packages.find.include``)."""
    config = tomllib.loads(_text(ROOT / "pyproject.toml"))
    return {pattern.rstrip("*") for pattern in config["tool"]["setuptools"]["packages"]["find"]["include"]}


def page_of(package: str) -> Path:
    return DOCS / "packages" / f"{package}.md"


def source_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        inside = set(path.relative_to(folder).parts)
        if path.is_file() and path.suffix in SOURCE_SUFFIXES and not NOT_SOURCE_FOLDERS & inside:
            yield path


def imported_packages(module: Path) -> set[str]:
    """The top-level packages ``module`` imports by absolute import (a relative one stays in its package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(_text(module), filename=str(module))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.partition(".")[0] for name in names}


def named_paths(document: Path) -> set[str]:
    """The repository paths ``document`` names in code spans (``agents/runtime/ports.py``, ``store/models/``)
    as they are written, without a closing slash."""
    return {
        token.rstrip("/")
        for token in TICKED.findall(_text(document))
        if "/" in token and PATH.match(token) and token.partition("/")[0] in TOP_LEVEL
    }


def test_every_package_has_a_rule_and_a_page() -> None:
    readme_packages = set(README_ROW.findall(_text(ROOT / "README.md")))
    assert python_packages() <= set(rules()), "a package the project installs has no row in the table"
    assert set(rules()) == readme_packages, "the README's package table and the architecture's disagree"
    for package in rules():
        assert page_of(package).is_file(), f"no page for {package}/"
        assert _text(page_of(package)).startswith(f"# `{package}/`"), f"{page_of(package)} is not its page"
    for row in RULE_ROW.finditer(_text(ARCHITECTURE)):
        assert DOCS / row["page"] == page_of(row["package"])


def test_the_rules_name_only_other_packages() -> None:
    for package, allowed in rules().items():
        assert allowed <= set(rules()) - {package}, f"{package}: {sorted(allowed - set(rules()))}"


def test_nothing_of_the_platform_may_import_bench() -> None:
    assert [package for package, allowed in rules().items() if "bench" in allowed] == []


@pytest.mark.parametrize("package", sorted(python_packages()))
def test_imports_follow_the_rules(package: str) -> None:
    modules = list(source_files(ROOT / package))
    assert modules, f"{package}/ holds no module"
    ours = set(rules())
    allowed = rules()[package] | {package}
    broken = {
        str(module.relative_to(ROOT)): sorted(imported & ours - allowed)
        for module in modules
        if (imported := imported_packages(module)) & ours - allowed
    }
    assert not broken, f"{package}/ may import only {sorted(allowed)}; these modules break the rule: {broken}"


def test_the_picture_draws_the_rules() -> None:
    """Every arrow of the layer picture is a rule; every rule is a path along the arrows."""
    arrows = ARROW.findall(_text(ARCHITECTURE).split("```mermaid", 1)[1].split("```", 1)[0])
    assert arrows
    for importer, imported in arrows:
        assert imported in rules()[importer], f"the picture draws {importer} --> {imported}; the table not"
    reachable = {package: {package} for package in rules()}
    for _ in rules():
        for importer, imported in arrows:
            reachable[importer] |= reachable[imported]
    for package, allowed in rules().items():
        assert allowed <= reachable[package], f"{package}: no path to {sorted(allowed - reachable[package])}"


@pytest.mark.parametrize("package", sorted(rules()))
def test_each_page_repeats_its_rule(package: str) -> None:
    lines = MAY_IMPORT.findall(_text(page_of(package)))
    assert len(lines) == 1, f"{page_of(package).name} needs one '**May import:**' line"
    assert {name.rstrip("/") for name in TICKED.findall(lines[0])} == rules()[package]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_documents_name_files_that_exist(document: Path) -> None:
    missing = sorted(path for path in named_paths(document) if not (ROOT / path).exists())
    assert not missing, f"{document.name} names paths that do not exist: {missing}"
    for target, _anchor in LINK.findall(_text(document)):
        if "://" not in target:
            assert (document.parent / target).exists(), f"{document.name} links {target}: no such file"


@pytest.mark.parametrize("package", sorted(rules()))
def test_each_page_names_every_folder_and_top_level_module(package: str) -> None:
    named = named_paths(page_of(package))
    folder = ROOT / package
    unnamed = []
    for source in source_files(folder):
        path = str(source.relative_to(ROOT))
        if source.parent == folder:
            if not source.name.startswith("__") and path not in named:
                unnamed.append(path)
        else:
            inner = str(source.parent.relative_to(ROOT))
            if not any(name == inner or name.startswith(f"{inner}/") for name in named):
                unnamed.append(f"{inner}/")
    assert not unnamed, f"{page_of(package).name} does not name {sorted(set(unnamed))}"
