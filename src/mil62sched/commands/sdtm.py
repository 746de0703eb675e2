"""The `sdtm` command: write a protocol's SDTM trial-design datasets (TA, TE, TV, TI, TS) into a
folder, each as CSV and as CDISC Dataset-JSON 1.1, all of them or none."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mil62sched.errors import OutputError
from mil62sched.files import staged_folder
from mil62sched.model.design import Design
from mil62sched.model.protocol import Protocol
from mil62sched.sdtm import dataset_csv, dataset_json, datasets
from mil62sched.sdtm.variables import Dataset


def write_datasets(
    protocol: Protocol, design: Design, folder: Path, *, created: datetime, force: bool = False
) -> tuple[Dataset, ...]:
    """Write `ta.csv`, `ta.json`, ... `ts.json` into `folder` (made if missing) and return the
    datasets. Nothing is written when any file exists there, unless `force`."""
    if str(folder) == "-":
        raise OutputError("-o - (standard output) cannot take ten files: give a folder")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"-o {str(folder)!r} is a file: give a folder for the datasets")
    built = datasets(protocol, design)
    with staged_folder(folder, force=force) as work:
        for dataset in built:
            stem = dataset.name.lower()
            for suffix, text in (
                ("csv", dataset_csv(dataset)),
                ("json", dataset_json(dataset, protocol.id, created)),
            ):
                (work / f"{stem}.{suffix}").write_text(text, encoding="utf-8", newline="")
    return built


def summary(built: tuple[Dataset, ...], folder: Path) -> list[str]:
    """What was written: a heading, then one line per dataset."""
    lines = [f"{len(built) * 2} files in {folder}/ (CSV and Dataset-JSON 1.1):"]
    for dataset in built:
        rows = len(dataset.rows)
        lines.append(f"  {dataset.name}  {dataset.label}: {rows} row{'s' if rows != 1 else ''}")
    return lines


def notes(design: Design, built: tuple[Dataset, ...], where: str) -> list[str]:
    """What a reviewer should know about the datasets: a design made from the schedules, an
    empty TI, the TS values that have no code."""
    from mil62sched.sdtm.summary import uncoded
    from mil62sched.sdtm.terminology import terminology

    found = [derived_note(design, where)]
    if not design.derived and not design.criteria:
        found.append(f"TI is empty: {where}'s [design] lists no [[design.criteria]]")
    found += [uncoded(dataset, terminology()) for dataset in built if dataset.name == "TS"]
    return [note for note in found if note is not None]


def derived_note(design: Design, where: str) -> str | None:
    """A note when the design was derived from the schedules, the file having no [design]."""
    if not design.derived:
        return None
    return (
        f"{where} has no [design] table: arm and element codes are made from the schedules "
        "(ARMCD from the arm's name, ETCD E01, E02 ...), TI has no criteria and TS holds what "
        "[protocol] states; a [design] table gives them (README: Trial-design datasets)"
    )
