"""A dataset as a file: CSV (UTF-8, a header of variable names) or CDISC Dataset-JSON 1.1."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from mil62sched import __version__
from mil62sched.outputs import csv_cell
from mil62sched.sdtm.variables import SDTMIG_VERSION, Dataset, text_length

DATASET_JSON_VERSION = "1.1.0"


def dataset_csv(dataset: Dataset) -> str:
    """The dataset as CSV: the variable names, then one line per row; a missing value is empty.
    Each value as `files.csv_cell` writes every CSV cell of the tool: the Dataset-JSON's value,
    but a text that a spreadsheet would run as a formula (=HYPERLINK...) starts with an
    apostrophe.

    >>> from mil62sched.sdtm.variables import Variable
    >>> print(dataset_csv(Dataset("XX", "X", (Variable("A", "A"),), (("a,b",),))), end="")
    A
    "a,b"
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(variable.name for variable in dataset.variables)
    for row in dataset.rows:
        writer.writerow(csv_cell(value) for value in row)
    return out.getvalue()


def dataset_json(
    dataset: Dataset,
    study: str,
    created: datetime,
    *,
    modified: datetime | None = None,
    originator: str | None = None,
    metadata: tuple[str, str] | None = None,
) -> str:
    """The dataset as a CDISC Dataset-JSON 1.1 document (one line, then a newline).

    `study` is the study's identifier (studyOID); `created` the export instant, written in UTC;
    `modified` when the source (the protocol file) last changed (dbLastModifiedDateTime);
    `originator` the organisation; `metadata` the MetaDataVersion OID and the define.xml that
    describes the dataset (metaDataRef). Each is left out when not given.
    A text column's length is `variables.text_length`, as define.xml gives it; numbers have
    none.
    """

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    stamp = utc(created)
    columns: list[dict[str, Any]] = []
    for index, variable in enumerate(dataset.variables):
        column: dict[str, Any] = {
            "itemOID": f"IT.{dataset.name}.{variable.name}",
            "name": variable.name,
            "label": variable.label,
            "dataType": variable.data_type,
        }
        if variable.data_type == "string":
            column["length"] = text_length(variable, [row[index] for row in dataset.rows], study)
        if variable.key is not None:
            column["keySequence"] = variable.key
        columns.append(column)
    version, reference = metadata or (f"MDV.{study}.SDTMIG.{SDTMIG_VERSION}", None)
    document: dict[str, Any] = {
        "datasetJSONCreationDateTime": stamp,
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"{study}/{stamp}/{dataset.name.lower()}",
    }
    if modified is not None:
        document["dbLastModifiedDateTime"] = utc(modified)
    if originator:
        document["originator"] = originator
    document |= {
        "sourceSystem": {"name": "mil62sched", "version": __version__},
        "studyOID": study,
        "metaDataVersionOID": version,
    }
    if reference is not None:
        document["metaDataRef"] = reference
    document |= {
        "itemGroupOID": f"IG.{dataset.name}",
        "records": len(dataset.rows),
        "name": dataset.name,
        "label": dataset.label,
        "columns": columns,
        "rows": [list(row) for row in dataset.rows],
    }
    return json.dumps(document, ensure_ascii=False) + "\n"
