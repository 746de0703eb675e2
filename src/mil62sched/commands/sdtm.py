"""The `sdtm` command: write a protocol's SDTM trial-design datasets (TA, TE, TV, TI, TS) into a
folder, each as CSV and as CDISC Dataset-JSON 1.1, all of them or none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mil62sched import protocol as protocols
from mil62sched.environment import Environment
from mil62sched.errors import OutputError
from mil62sched.model.design import Design
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import staged_folder
from mil62sched.sdtm import dataset_csv, dataset_json, datasets
from mil62sched.sdtm.datasets import IETEST_LENGTH, Dataset


@dataclass(frozen=True)
class SdtmOptions:
    """What `sdtm` is given: the folder to write into, the protocol file, --force."""

    folder: Path
    protocol_file: Path | None
    force: bool


def run(env: Environment, options: SdtmOptions) -> None:
    """Write the datasets, say what was written, then note what the design left out."""
    from mil62sched.formats.presentation import export_instant
    from mil62sched.protocol.design import load_design

    trial = protocols.load(options.protocol_file)
    design = load_design(trial, options.protocol_file)
    created = export_instant(env.environ.get("SOURCE_DATE_EPOCH"))
    built = write_datasets(trial, design, options.folder, created=created, force=options.force)
    env.stdout.write("".join(line + "\n" for line in summary(built, options.folder)))
    where = f"protocol {options.protocol_file or protocols.BUILTIN.name}"
    notes = (derived_note(design, where), shortened_criteria(design))
    env.stdout.flush()  # the notes after the summary, also when both go to one pipe
    for note in notes:
        if note is not None:
            env.diagnostics.note(note)


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


def shortened_criteria(design: Design) -> str | None:
    """A note naming the criteria whose text is longer than IETEST holds, if any."""
    long = [
        f"{'INCL' if c.category == 'inclusion' else 'EXCL'}{c.number:02d}"
        for c in design.criteria
        if len(c.text) > IETEST_LENGTH
    ]
    if not long:
        return None
    return (
        f"TI's IETEST holds {IETEST_LENGTH} characters: {', '.join(long)} end in '...'; "
        "their full text is in the protocol file's [[design.criteria]]"
    )


def derived_note(design: Design, where: str) -> str | None:
    """A note when the design was derived from the schedules, the file having no [design]."""
    if not design.derived:
        return None
    return (
        f"{where} has no [design] table: arm and element codes are made from the schedules "
        "(ARMCD from the arm's name, ETCD E01, E02 ...), TI has no criteria and TS holds what "
        "[protocol] states; a [design] table gives them (README: Trial-design datasets)"
    )
