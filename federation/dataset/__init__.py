"""The supplier data set of the local federation service: schema, seeded generator, loader."""

from federation.dataset.loader import (
    SHIPPED,
    DatasetError,
    load_dataset,
    load_shipped,
    parse_csv,
    parse_json,
    render_csv,
    render_json,
)
from federation.dataset.schema import FORMAT, CapabilityRecord, SupplierDataset, SupplierRecord

__all__ = [
    "FORMAT",
    "SHIPPED",
    "CapabilityRecord",
    "DatasetError",
    "SupplierDataset",
    "SupplierRecord",
    "load_dataset",
    "load_shipped",
    "parse_csv",
    "parse_json",
    "render_csv",
    "render_json",
]
