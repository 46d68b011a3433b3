"""Rows of metrics written as CSV: one column per field, empty cells for missing values."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel


def write_csv(path: Path, model: type[BaseModel], rows: Sequence[BaseModel]) -> None:
    """Write ``rows`` (instances of ``model``) with a header of ``model``'s field names."""
    columns = list(model.model_fields)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            values = row.model_dump(mode="json")
            writer.writerow({c: "" if values[c] is None else values[c] for c in columns})
