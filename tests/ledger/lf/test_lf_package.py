"""The DAML-LF package built in Python is parsed by dazl's own DAML-LF decoder and matches the model."""

from __future__ import annotations

import hashlib
import io
import zipfile

from dazl.damlast.daml_lf_1 import PackageRef
from dazl.damlast.lookup import MultiPackageLookup
from dazl.damlast.parse import parse_archive
from dazl.damlast.pkgfile import DarFile

from ledger.engine.templates import MODEL, PACKAGE_NAME, PACKAGE_VERSION
from ledger.lf import build_archive, build_dar, package_id, read_dar_archives


def test_package_id_is_sha256_of_payload_and_deterministic() -> None:
    archive = build_archive()
    assert archive.package_id == hashlib.sha256(archive.payload).hexdigest()
    assert build_dar() == build_dar()
    assert package_id() == archive.package_id


def test_dazl_parses_every_template_choice_and_record() -> None:
    archive = build_archive()
    parsed = parse_archive(PackageRef(archive.package_id), archive.payload, None)
    assert parsed.package.metadata is not None
    assert (parsed.package.metadata.name, parsed.package.metadata.version) == (PACKAGE_NAME, PACKAGE_VERSION)
    lookup = MultiPackageLookup([parsed])
    for template in MODEL.templates:
        name = f"{archive.package_id}:{template.module}:{template.entity}"
        lf_template = lookup.search(name).templates.single().object
        assert {c.name for c in lf_template.choices} == {c.name for c in template.choices}
        for choice in template.choices:
            lf_choice = next(c for c in lf_template.choices if c.name == choice.name)
            assert lf_choice.consuming == choice.consuming
        record = lookup.search(name).data_types.single().object.record
        assert record is not None
        assert [f.field for f in record.fields] == [f.name for f in template.fields]
    for rec in MODEL.records:
        data_type = lookup.search(f"{archive.package_id}:{rec.module}:{rec.name}").data_types.single().object
        assert data_type.record is not None
        assert [f.field for f in data_type.record.fields] == [f.name for f in rec.fields]


def test_dar_manifest_names_the_main_dalf_and_dazl_reads_it() -> None:
    dar = build_dar()
    with zipfile.ZipFile(io.BytesIO(dar)) as zf:
        manifest = zf.read("META-INF/MANIFEST.MF").decode()
        dalfs = [n for n in zf.namelist() if n.endswith(".dalf")]
    assert len(dalfs) == 1
    assert f"Main-Dalf: {dalfs[0]}" in manifest
    with DarFile(dar) as dar_file:
        assert dar_file.package_ids() == {package_id()}
        assert dar_file.manifest() is not None
        [parsed] = dar_file.archives()
    assert len(parsed.package.modules) == 1
    assert [a.package_id for a in read_dar_archives(dar)] == [package_id()]
