"""The shipped supplier data set: generated deterministically, documented, loadable from JSON and CSV."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from federation.dataset import (
    SHIPPED,
    DatasetError,
    load_dataset,
    load_shipped,
    parse_csv,
    parse_json,
    render_csv,
    render_json,
)
from federation.dataset.generator import DEFAULT_COUNT, DEFAULT_SEED, generate
from federation.dataset.loader import CSV_COLUMNS
from ontology.process import ProcessKind

REQUIRED_PROCESSES = {
    ProcessKind.CNC_MILLING,
    ProcessKind.CNC_TURNING,
    ProcessKind.LASER_CUTTING,
    ProcessKind.SHEET_METAL_BENDING,
    ProcessKind.INJECTION_MOULDING,
    ProcessKind.ADDITIVE_MANUFACTURING,
    ProcessKind.PCB_ASSEMBLY,
    ProcessKind.SURFACE_FINISHING,
    ProcessKind.TEXTILE_CUTTING_SEWING,
    ProcessKind.WOODWORKING,
}


def test_the_shipped_file_is_the_generator_output() -> None:
    """Regenerate with: python -m federation.dataset.generator --out federation/dataset/suppliers.json"""
    assert SHIPPED.read_text(encoding="utf-8") == render_json(generate(DEFAULT_SEED, DEFAULT_COUNT))


def test_generation_is_deterministic_per_seed() -> None:
    assert generate(7, 40) == generate(7, 40)
    assert generate(7, 40) != generate(8, 40)


def test_the_data_set_covers_europe_and_the_processes() -> None:
    dataset = load_shipped()
    suppliers = dataset.suppliers
    assert len(suppliers) >= 300 and dataset.seed == DEFAULT_SEED
    countries = Counter(s.location.country for s in suppliers)
    assert len(countries) >= 20
    processes = Counter(c.process for s in suppliers for c in s.capabilities)
    assert processes.keys() >= REQUIRED_PROCESSES
    assert min(processes[p] for p in REQUIRED_PROCESSES) >= 10
    assert set(processes) == set(ProcessKind)
    for supplier in suppliers:
        assert supplier.to_supplier().id == supplier.id
        for capability in supplier.capabilities:
            assert capability.price.hourly_rate > 0
            assert set(capability.price.material_factors) == set(capability.materials)
    assert sum(1 for s in suppliers if "ISO 9001" in s.certifications) > len(suppliers) // 2
    assert len({s.name for s in suppliers}) == len(suppliers)


def test_the_schema_is_documented() -> None:
    schema = (SHIPPED.parent / "SCHEMA.md").read_text(encoding="utf-8")
    for column in CSV_COLUMNS:
        assert column in schema
    for process in ProcessKind:
        assert f"`{process.value}`" in schema


def test_csv_round_trip(tmp_path: Path) -> None:
    dataset = generate(3, 25)
    path = tmp_path / "mine.csv"
    path.write_text(render_csv(dataset), encoding="utf-8")
    loaded = load_dataset(path)
    assert loaded.suppliers == dataset.suppliers


def test_json_round_trip_and_a_bare_list(tmp_path: Path) -> None:
    dataset = generate(4, 10)
    path = tmp_path / "mine.json"
    path.write_text(render_json(dataset), encoding="utf-8")
    assert load_dataset(path) == dataset
    bare = "[" + ",".join(r.model_dump_json() for r in dataset.suppliers) + "]"
    assert parse_json(bare).suppliers == dataset.suppliers


def test_csv_errors_name_the_line() -> None:
    header = ",".join(CSV_COLUMNS)
    good = "A1,Acme,DE,Ulm,48.4,10.0,4,ISO 9001,EUR,10,1990,,cnc-milling,steel,standard,40,5,10,50,steel=1.1"
    with pytest.raises(DatasetError, match="line 3: supplier 'A1' has other name"):
        parse_csv(f"{header}\n{good}\n{good.replace('Acme', 'Other').replace('cnc-milling', 'welding')}\n")
    with pytest.raises(DatasetError, match=r"line 2.*capabilities.0.process"):
        parse_csv(f"{header}\n{good.replace('cnc-milling', 'knitting')}\n")
    with pytest.raises(DatasetError, match="not material=factor"):
        parse_csv(f"{header}\n{good.replace('steel=1.1', 'steel')}\n")
    with pytest.raises(DatasetError, match="missing column"):
        parse_csv("supplier_id,name\nA1,Acme\n")


def test_json_errors_name_the_supplier(tmp_path: Path) -> None:
    records = [r.model_dump(mode="json") for r in generate(5, 3).suppliers]
    records[1]["location"]["country"] = "Germany"

    with pytest.raises(DatasetError, match=r"suppliers.\[SUP-0002\].location.country"):
        parse_json(json.dumps({"format": "lso-suppliers/1", "suppliers": records}))
    records[1] = {**records[0]}
    with pytest.raises(DatasetError, match="occur more than once"):
        parse_json(json.dumps(records))
    with pytest.raises(DatasetError, match="No such file"):
        load_dataset(tmp_path / "missing.json")
    (tmp_path / "suppliers.xml").write_text("<suppliers/>")
    with pytest.raises(DatasetError, match=r"\.json or a \.csv"):
        load_dataset(tmp_path / "suppliers.xml")
