"""What a protocol amendment changes, per participant (`mil62sched amend`): a table for an
80-column terminal, CSV, JSON, Markdown, an .xlsx workbook and an HTML page.

A row says what a person on the row's arm may know: on a blinded arm, a treatment is its
blinded label, and a change behind it is only "treatment label changed"; unblinded arms appear
in outputs that say UNBLINDED (the table's banner, JSON `notice`, the workbook's sheet, the
page's banner), as a roster's outputs do.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import NamedTuple

from mil62sched.formats.markdown import literal
from mil62sched.formats.wording import UNBLINDED_NOTICE
from mil62sched.i18n import ENGLISH, N_, Words, cells, words, wrap
from mil62sched.model.amendment import Change, ChangeList
from mil62sched.outputs import csv_cell

WIDTH = 80  # what a terminal at the site has


class Shown(NamedTuple):
    """How to show a change list: the language of what people read and the export instant
    (a workbook's times)."""

    lang: str = "en"
    stamp: datetime | None = None


# --- words -------------------------------------------------------------------------------------


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _window(window: tuple[date, date] | None, tr: Words) -> str:
    return tr("none") if window is None else f"{window[0].isoformat()}..{window[1].isoformat()}"


def what_changes(change: Change, tr: Words = ENGLISH) -> str:
    """The change in words: 'moved from 2026-02-02 (+7 d)', 'window: none → ...'."""
    kind = change.kind
    if kind == "added":
        if change.new_treatment is None:
            return tr("added")
        return tr("added: {treatment}", treatment=tr.sentence(change.new_treatment))
    if kind == "removed":
        return tr("removed")
    if kind == "moved":
        return tr("moved from {date} ({days:+d} d)", date=_iso(change.old_date), days=change.days)
    if kind == "re-windowed":
        return tr(
            "window: {old} → {new}",
            old=_window(change.old_window, tr),
            new=_window(change.new_window, tr),
        )
    template = (
        N_("treatment label changed: {old} → {new}")
        if kind == "treatment-label"
        else N_("treatment: {old} → {new}")
    )
    return tr(
        template,
        old=tr.sentence(change.old_treatment or ""),
        new=tr.sentence(change.new_treatment or ""),
    )


def heading(changes: ChangeList, tr: Words = ENGLISH) -> str:
    """'MIL62-CT303: protocol version 2.0 → 3.0'."""
    if changes.old_version is None:
        return tr(
            "{protocol}: protocol (no version stated) → version {new}",
            protocol=changes.protocol,
            new=changes.new_version,
        )
    return tr(
        "{protocol}: protocol version {old} → {new}",
        protocol=changes.protocol,
        old=changes.old_version,
        new=changes.new_version,
    )


def in_force(changes: ChangeList, tr: Words = ENGLISH) -> str:
    """From when the new version applies."""
    if changes.effective is None:
        return tr("In force from each participant's amended_on (the day they re-consented).")
    return tr(
        "In force from {date} (--effective); a participant's amended_on comes first.",
        date=changes.effective.isoformat(),
    )


def unchanged_line(changes: ChangeList, tr: Words = ENGLISH) -> str:
    """The participants with no change, counted in one line."""
    count = len(changes.unchanged)
    if count == changes.participants:
        return tr("No participant's visits change ({count} compared).", count=count)
    if count == 1:
        return tr("1 participant with no change.")
    return tr("{count} participants with no change.", count=count)


def _reconsented(changes: ChangeList, tr: Words) -> list[str]:
    """A line for each participant who follows the new version from their own re-consent."""
    seen: dict[str, date] = {}
    for change in changes.changes:
        if change.reconsented:
            seen.setdefault(change.participant, change.switch)
    return [
        tr(
            "{participant} follows version {version} from {date} (amended_on).",
            participant=who,
            version=changes.new_version,
            date=day.isoformat(),
        )
        for who, day in seen.items()
    ]


def _date(change: Change) -> str:
    """The visit's date in the row: the new one, or the old one of a removed visit."""
    return _iso(change.new_date or change.old_date)


# --- table -------------------------------------------------------------------------------------


def render_table(changes: ChangeList, shown: Shown) -> str:
    """The change list for an 80-column terminal: one row per change, the change in words
    wrapped in its column."""
    tr = words(shown.lang)
    out: list[str] = []

    def para(text: str, first: str = "", indent: str = "") -> None:
        out.extend(line.rstrip() for line in wrap(text, WIDTH, indent=indent, first=first))

    if changes.unblinded:
        para(tr(UNBLINDED_NOTICE))
    para(heading(changes, tr))
    para(in_force(changes, tr))
    rows = [(c.participant, c.visit, _date(c), what_changes(c, tr)) for c in changes.changes]
    if rows:
        titles = (tr("Participant"), tr("Visit"), tr("Date"), tr("Change"))
        widths = [max(cells(row[i]) for row in [titles, *rows]) for i in range(3)]
        out.append("")
        for row in [titles, *rows]:
            lead = "".join(
                _pad(text, width) + "  " for text, width in zip(row, widths, strict=False)
            )
            para(row[3], first=lead, indent=" " * cells(lead))
    out.append("")
    for line in _reconsented(changes, tr):
        para(line)
    para(unchanged_line(changes, tr))
    return "\n".join(out) + "\n"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cells(text))


# --- CSV, JSON ---------------------------------------------------------------------------------

COLUMNS = (
    "protocol", "old_version", "new_version", "participant", "arm", "masking", "period", "code",
    "change", "switch_date", "switch_from", "old_date", "new_date", "days", "old_window_start",
    "old_window_end", "new_window_start", "new_window_end", "old_treatment", "new_treatment",
)  # fmt: skip


def fields(change: Change, changes: ChangeList) -> dict[str, object]:
    """One change as plain values, in the contract's names and order (`COLUMNS`)."""
    old_window = change.old_window or (None, None)
    new_window = change.new_window or (None, None)
    return {
        "protocol": changes.protocol,
        "old_version": changes.old_version,
        "new_version": changes.new_version,
        "participant": change.participant,
        "arm": change.arm,
        "masking": change.masking,
        "period": change.period,
        "code": str(change.code),
        "change": change.kind,
        "switch_date": change.switch.isoformat(),
        "switch_from": "amended_on" if change.reconsented else "effective",
        "old_date": _iso(change.old_date) or None,
        "new_date": _iso(change.new_date) or None,
        "days": change.days if change.kind == "moved" else None,
        "old_window_start": _iso(old_window[0]) or None,
        "old_window_end": _iso(old_window[1]) or None,
        "new_window_start": _iso(new_window[0]) or None,
        "new_window_end": _iso(new_window[1]) or None,
        "old_treatment": change.old_treatment,
        "new_treatment": change.new_treatment,
    }


def render_csv(changes: ChangeList, shown: Shown) -> str:
    """One row per change under COLUMNS; the same in every language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for change in changes.changes:
        values = fields(change, changes)
        writer.writerow([csv_cell(values[name]) for name in COLUMNS])
    return out.getvalue()


def document(changes: ChangeList) -> dict[str, object]:
    """The change list as JSON-ready values."""
    return {
        "protocol": changes.protocol,
        "old_version": changes.old_version,
        "new_version": changes.new_version,
        "effective": None if changes.effective is None else changes.effective.isoformat(),
        "notice": UNBLINDED_NOTICE if changes.unblinded else None,
        "participants": changes.participants,
        "unchanged": list(changes.unchanged),
        "changes": [fields(change, changes) for change in changes.changes],
    }


def render_json(changes: ChangeList, shown: Shown) -> str:
    """The change list as one JSON object; the same in every language."""
    return json.dumps(document(changes), indent=2, ensure_ascii=False) + "\n"


# --- Markdown, workbook, HTML ------------------------------------------------------------------


def render_md(changes: ChangeList, shown: Shown) -> str:
    """A heading, the rows as a pipe table, and the participants with no change."""
    tr = words(shown.lang)
    lines = [f"## {literal(heading(changes, tr))}", ""]
    if changes.unblinded:
        lines += [f"> **{literal(tr(UNBLINDED_NOTICE))}**", ""]
    lines += [literal(in_force(changes, tr)), ""]
    if changes.changes:
        titles = (tr("Participant"), tr("Visit"), tr("Date"), tr("Change"))
        lines += ["| " + " | ".join(map(literal, titles)) + " |", "|---|---|---|---|"]
        for c in changes.changes:
            row = (c.participant, c.visit, _date(c), what_changes(c, tr))
            lines.append("| " + " | ".join(map(literal, row)) + " |")
        lines.append("")
    lines += [f"- {literal(line)}" for line in _reconsented(changes, tr)]
    lines.append(f"- {literal(unchanged_line(changes, tr))}")
    return "\n".join(lines) + "\n"


_DATES = frozenset(
    {"switch_date", "old_date", "new_date", "old_window_start", "old_window_end",
     "new_window_start", "new_window_end"}
)  # fmt: skip


def render_xlsx(changes: ChangeList, shown: Shown) -> bytes:
    """The CSV's columns and values in a workbook, typed (dates as dates); its sheet and title
    say UNBLINDED, Blinded or Open-label as a roster's do."""
    from mil62sched.formats import xlsx

    def rows() -> Iterator[list[object]]:
        for change in changes.changes:
            values = fields(change, changes)
            yield [
                date.fromisoformat(value) if name in _DATES and isinstance(value, str) else value
                for name, value in ((name, values[name]) for name in COLUMNS)
            ]

    maskings = {change.masking for change in changes.changes}
    masking = (
        "unblinded"
        if changes.unblinded
        else "blinded"
        if "blinded" in maskings or not maskings
        else "open-label"
    )
    title = f"{changes.protocol} amendment {changes.new_version}"
    naming = xlsx.Naming(masking, title, (changes.protocol,))
    stamp = shown.stamp or datetime.now().astimezone()
    return xlsx.workbook(COLUMNS, rows(), "changes", naming, stamp)


def render_html(changes: ChangeList, shown: Shown) -> str:
    """A self-contained page of the change list (text escaped, never markup)."""
    from html import escape

    tr = words(shown.lang)
    lang = "zh-Hans" if tr.chinese else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        '<head><meta charset="utf-8">',
        f"<title>{escape(heading(changes, tr))}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #999;padding:.2em .5em;text-align:left}"
        ".banner{background:#c00000;color:#fff;font-weight:bold;padding:.5em}</style>",
        "</head><body>",
    ]
    if changes.unblinded:
        parts.append(f'<p class="banner">{escape(tr(UNBLINDED_NOTICE))}</p>')
    parts += [f"<h1>{escape(heading(changes, tr))}</h1>", f"<p>{escape(in_force(changes, tr))}</p>"]
    if changes.changes:
        titles = (tr("Participant"), tr("Visit"), tr("Date"), tr("Change"))
        parts.append("<table><thead><tr>")
        parts += [f"<th>{escape(title)}</th>" for title in titles]
        parts.append("</tr></thead><tbody>")
        for c in changes.changes:
            row = (c.participant, c.visit, _date(c), what_changes(c, tr))
            parts.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
        parts.append("</tbody></table>")
    parts += [f"<p>{escape(line)}</p>" for line in _reconsented(changes, tr)]
    parts += [f"<p>{escape(unchanged_line(changes, tr))}</p>", "</body></html>"]
    return "\n".join(parts) + "\n"


# --- the registry of a change list's formats -----------------------------------------------------


class ChangeFormat(NamedTuple):
    """One output of `amend`: its name, file extensions and renderer; a terminal's, or bytes."""

    name: str
    extensions: tuple[str, ...]
    render: Callable[[ChangeList, Shown], str | bytes]
    terminal: bool = False
    binary: bool = False


FORMATS = (
    ChangeFormat("table", (".txt",), render_table, terminal=True),
    ChangeFormat("csv", (".csv",), render_csv),
    ChangeFormat("json", (".json",), render_json),
    ChangeFormat("md", (".md",), render_md),
    ChangeFormat("xlsx", (".xlsx",), render_xlsx, binary=True),
    ChangeFormat("html", (".html", ".htm"), render_html),
)
