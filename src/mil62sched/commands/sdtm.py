"""The `sdtm` command: write a protocol's SDTM trial-design datasets (TA, TE, TV, TI, TS) into a
folder, each as CSV and as CDISC Dataset-JSON 1.1, with their Define-XML 2.1 (define.xml), all of
them or none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mil62sched import protocol as protocols
from mil62sched.environment import Environment
from mil62sched.errors import OutputError
from mil62sched.messages import N_, Localized, Message, msg
from mil62sched.model.design import Design
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import staged_folder
from mil62sched.sdtm import dataset_csv, dataset_json, datasets
from mil62sched.sdtm.terminology import Terminology
from mil62sched.sdtm.variables import Dataset


@dataclass(frozen=True)
class SdtmOptions:
    """What `sdtm` is given: the folder to write into, the protocol file, --force."""

    folder: Path
    protocol_file: Path | None
    force: bool


def run(env: Environment, options: SdtmOptions) -> None:
    """Write the datasets and their define.xml, say what was written, then note what a reviewer
    should know of them."""
    from mil62sched.formats.presentation import export_instant
    from mil62sched.protocol.design import load_design

    trial = protocols.load(options.protocol_file)
    design = load_design(trial, options.protocol_file)
    created = export_instant(env.environ.get("SOURCE_DATE_EPOCH"))
    built = write_datasets(
        trial,
        design,
        options.folder,
        created=created,
        force=options.force,
        source=options.protocol_file,
    )
    env.stdout.write("".join(env.render(line) + "\n" for line in summary(built, options.folder)))
    where = msg(N_("protocol {file}"), file=str(options.protocol_file or protocols.BUILTIN.name))
    env.stdout.flush()  # the notes after the summary, also when both go to one pipe
    for note in notes(design, built, where):
        env.diagnostics.note(note)


def write_datasets(
    protocol: Protocol,
    design: Design,
    folder: Path,
    *,
    created: datetime,
    force: bool = False,
    source: Path | None = None,
) -> tuple[Dataset, ...]:
    """Write `ta.csv`, `ta.json`, ... `ts.json` and `define.xml` into `folder` (made if missing)
    and return the datasets. Nothing is written when any file exists there, unless `force`.
    `source` is the protocol file (None: the built-in one): its last change is the files'
    dbLastModifiedDateTime, never later than `created`."""
    from mil62sched.protocol import BUILTIN
    from mil62sched.sdtm.define import FILE_NAME, define_xml, metadata_version
    from mil62sched.sdtm.terminology import terminology

    if str(folder) == "-":
        raise OutputError(msg(N_("-o - (standard output) cannot take eleven files: give a folder")))
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            msg(N_("-o {path!r} is a file: give a folder for the datasets"), path=str(folder))
        )
    built = datasets(protocol, design)
    table = terminology()
    modified = _last_change(source or BUILTIN, created)
    originator = _sponsor(built)
    comments = {name: str(text) for name, text in dataset_notes(design, built, table).items()}
    define = define_xml(
        protocol, design, built, table, created=created, originator=originator, comments=comments
    )
    with staged_folder(folder, force=force) as work:
        for dataset in built:
            stem = dataset.name.lower()
            document = dataset_json(
                dataset,
                protocol.id,
                created,
                modified=modified,
                originator=originator,
                metadata=(metadata_version(protocol.id), FILE_NAME),
            )
            for suffix, text in (("csv", dataset_csv(dataset)), ("json", document)):
                (work / f"{stem}.{suffix}").write_text(text, encoding="utf-8", newline="")
        (work / FILE_NAME).write_text(define, encoding="utf-8", newline="")
    return built


def _last_change(source: Path, created: datetime) -> datetime:
    """When the protocol file last changed, clamped to the export instant (a reproducible
    build's SOURCE_DATE_EPOCH bounds every time it writes); the export instant when unknown."""
    from datetime import UTC

    try:
        changed = datetime.fromtimestamp(source.stat().st_mtime, UTC).replace(microsecond=0)
    except (OSError, OverflowError, ValueError):
        return created
    return min(changed, created)


def _sponsor(built: tuple[Dataset, ...]) -> str | None:
    """TS's sponsor, when it has one: the organisation the datasets describe the trial of."""
    ts = next(dataset for dataset in built if dataset.name == "TS")
    names = [variable.name for variable in ts.variables]
    found = [
        str(row[names.index("TSVAL")])
        for row in ts.rows
        if row[names.index("TSPARMCD")] == "SPONSOR"
    ]
    return found[0] if found and found[0] else None


# The datasets' labels (SDTM's own, English in the files), said in the reader's language.
LABELS = (
    *(N_("Trial Arms"), N_("Trial Elements"), N_("Trial Visits")),
    *(N_("Trial Inclusion/Exclusion Criteria"), N_("Trial Summary")),
)


def summary(built: tuple[Dataset, ...], folder: Path) -> list[Message]:
    """What was written: a heading, then one line per dataset."""
    lines = [
        msg(
            N_("{count} files in {folder}/ (CSV, Dataset-JSON 1.1 and define.xml):"),
            count=len(built) * 2 + 1,
            folder=str(folder),
        )
    ]
    for dataset in built:
        rows = len(dataset.rows)
        lines.append(
            msg(
                N_("  {name}  {label}: {rows} row")
                if rows == 1
                else N_("  {name}  {label}: {rows} rows"),
                name=dataset.name,
                label=Localized(dataset.label),
                rows=rows,
            )
        )
    return lines


def notes(design: Design, built: tuple[Dataset, ...], where: Message) -> list[Message]:
    """What a reviewer should know about the datasets: a design made from the schedules, an
    empty TI, the TS values that have no code."""
    from mil62sched.sdtm.terminology import terminology

    found = [derived_note(design, where)]
    by_dataset = dataset_notes(design, built, terminology())
    if "TI" in by_dataset and (design.partial or not design.derived):  # else the note says so
        found.append(msg(N_("{note} ({where})"), note=by_dataset["TI"], where=where))
    if "TS" in by_dataset:
        found.append(by_dataset["TS"])
    return [note for note in found if note is not None]


def dataset_notes(
    design: Design, built: tuple[Dataset, ...], table: Terminology
) -> dict[str, Message]:
    """The notes on single datasets, by name, that define.xml also carries as comments (in
    English, there)."""
    from mil62sched.sdtm.summary import uncoded

    found: dict[str, Message] = {}
    ti = next(dataset for dataset in built if dataset.name == "TI")
    if not ti.rows:
        found["TI"] = msg(N_("TI is empty: the protocol file lists no eligibility criteria"))
    ts = next(dataset for dataset in built if dataset.name == "TS")
    note = uncoded(ts, table)
    if note is not None:
        found["TS"] = note
    return found


def derived_note(design: Design, where: Message) -> Message | None:
    """A note when the arms and elements were made from the schedules, the file's [design]
    giving none (or the file having no [design])."""
    if not design.derived:
        return None
    if design.partial:
        return msg(
            N_(
                "{where}'s [design] gives no arms: arm and element codes are made from the "
                "schedules (ARMCD from the arm's name, ETCD E01, E02 ...); [[design.arms]], "
                "[design.elements] and [design.epochs] give them (README: Trial-design datasets)"
            ),
            where=where,
        )
    return msg(
        N_(
            "{where} has no [design] table: arm and element codes are made from the schedules "
            "(ARMCD from the arm's name, ETCD E01, E02 ...), TI has no criteria and TS holds "
            "what [protocol] states; a [design] table gives them (README: Trial-design datasets)"
        ),
        where=where,
    )
