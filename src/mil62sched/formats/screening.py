"""A screening's outputs (`mil62sched screen`): the terminal text (80 columns), JSON, CSV and
Markdown, for one person or a file of candidates.

Words are English in the code and Chinese in the catalogue (`--lang zh`); the criteria are always
quoted in the registry's own words, which are English. JSON and CSV are contracts: the same in
every language (their `note` is English).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from mil62sched.formats.markdown import literal
from mil62sched.formats.wording import reason_text
from mil62sched.i18n import ENGLISH, N_, Words, cells, words, wrap
from mil62sched.model.eligibility import Finding, Period, Rule, Screening, ToCheck
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import csv_cell

WIDTH = 80  # what a terminal at the site has
ASSISTS = N_("The tool assists: the investigator decides eligibility.")


class Shown(NamedTuple):
    """How to show screenings: the protocol they were worked out on and the language of what
    people read."""

    protocol: Protocol
    lang: str = "en"


# --- words -------------------------------------------------------------------------------------

_STATUSES = {
    "exempt": N_("exempt"),
    "met": N_("met"),
    "to-check": N_("to check"),
    "outside": N_("outside"),
    "none": "—",
}
_CATEGORIES = {"inclusion": N_("Inclusion {number}"), "exclusion": N_("Exclusion {number}")}


def criterion(rule: Rule | None, tr: Words = ENGLISH) -> str:
    """'Exclusion 4', or 'Screening' for the screening itself."""
    if rule is None:
        return tr("Screening")
    return tr(_CATEGORIES[rule.category], number=rule.number)


def period_text(period: Period, tr: Words = ENGLISH) -> str:
    """'3 months', '1 year', '5 half-lives', in the reader's language."""
    return tr.message(period.words())


def length_text(length: timedelta) -> str:
    """A half-life or a length of them as the user types one: 5h, 3d, 1d1h, 1h30m.

    >>> length_text(timedelta(hours=25)), length_text(timedelta(days=15))
    ('1d1h', '15d')
    """
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or "0m"


def _mg(value: float) -> str:
    return f"{value:g}"


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _subject(finding: Finding, tr: Words) -> str:
    """What a finding counts: 'ivig, last dose 2025-08-20', 'attack 2025-08-01'."""
    if finding.item == "attack":
        text = tr("attack {date}", date=_iso(finding.since))
    else:
        text = tr("{item}, last dose {date}", item=finding.item, date=_iso(finding.since))
    return text + (tr(" (after screening)") if finding.after_screening else "")


def describe(finding: Finding, tr: Words = ENGLISH) -> str:
    """What a rule made of one item, in a line: the arithmetic a coordinator checks by hand."""
    rule = finding.rule
    if rule is None:
        return tr("the day after screening ({date})", date=_iso(finding.since))
    if rule.kind == "attacks":
        return tr("attacks: see To check")
    if finding.status == "none":
        if rule.start == "attack":
            return tr("no attack given")
        return tr("nothing given ({classes})", classes=list(rule.applies_to))
    assert rule.period is not None
    period = period_text(rule.period, tr)
    if rule.kind == "dose":
        limit = _mg(rule.limit_mg or 0)
        assert finding.mg is not None
        if finding.status == "met":
            return tr("{mg} mg/day, not above {limit} mg/day", mg=_mg(finding.mg), limit=limit)
        return tr(
            "{mg} mg/day, above {limit} mg/day through {date}: within {period}, through {end}",
            mg=_mg(finding.mg),
            limit=limit,
            date=_iso(finding.since),
            period=period,
            end=_iso(finding.end),
        )
    subject = _subject(finding, tr)
    if finding.status == "exempt":
        return tr(
            "{subject}: taken {days} days in a row (at most {most} exempts)",
            subject=subject,
            days=finding.days,
            most=rule.exempt_days,
        )
    if rule.kind == "check":
        template = (
            N_("{subject}: within {period} before screening (through {end})")
            if finding.status == "to-check" and not finding.after_screening
            else N_("{subject}: not within {period} before screening (through {end})")
        )
        return tr(template, subject=subject, period=period, end=_iso(finding.end))
    if finding.length is not None and finding.half_life is not None:
        return tr(
            "{subject}: more than {period} of {half_life} ({length}), past {end}",
            subject=subject,
            period=period,
            half_life=length_text(finding.half_life),
            length=length_text(finding.length),
            end=_iso(finding.end),
        )
    template = {
        "within": N_("{subject}: within {period}, through {end}"),
        "at-least": N_("{subject}: at least {period}, to {end}"),
        "exceeds": N_("{subject}: more than {period}, past {end}"),
    }[rule.wording]
    return tr(template, subject=subject, period=period, end=_iso(finding.end))


def clears_text(finding: Finding, tr: Words = ENGLISH) -> str:
    """The clear date, or what the rule made of the item instead (exempt, to check)."""
    if finding.status in ("binds", "clears"):
        return _iso(finding.clears)
    return tr(_STATUSES[finding.status]) if finding.status != "none" else "—"


def check_sentence(check: ToCheck, screening: date, tr: Words = ENGLISH) -> str:
    """Why a condition is left to the investigator, in a sentence."""
    rule = check.rule
    if check.reason == "after-screening":
        return tr(
            "{item} on {date} is after the screening date ({screening}): counted in the waits "
            "for the first administration; check the date",
            item=check.item,
            date=_iso(check.on),
            screening=screening.isoformat(),
        )
    assert rule is not None
    if check.reason == "attacks":
        counts = [
            tr(
                "{found} within {period} before screening, from {date} (at least {least} asked)",
                found=counted.found,
                period=period_text(counted.rule.period, tr),
                date=counted.since.isoformat(),
                least=counted.rule.at_least,
            )
            for counted in check.counted
        ]
        return tr("attacks given: {counts}; the criterion:", counts=tr("; ").join(counts))
    if check.reason == "dose":
        return tr(
            "only the daily dose given is known ({mg} mg/day); the criterion:",
            mg=_mg(check.mg or 0),
        )
    if check.reason == "continuous-use":
        return tr(
            "how long {item} was used in a row was not given (--continuous-days "
            "{item}=DAYS): the rule applies, unless",
            item=check.item,
        )
    if rule.kind == "check":
        return tr(
            "{item} on {date} is within {period} before screening; the criterion goes on:",
            item=check.item,
            date=_iso(check.on),
            period=period_text(rule.period, tr) if rule.period else "",
        )
    return tr(
        "counted from {item} on {date}; the criterion asks for:",
        item=tr("the attack") if check.item == "attack" else check.item,
        date=_iso(check.on),
    )


def check_quote(check: ToCheck) -> str | None:
    """The registry's words a condition rests on (English, as the registry is)."""
    rule = check.rule
    if rule is None:
        return None
    if check.reason == "attacks":
        return rule.cites
    if check.reason == "continuous-use":
        return rule.exempt
    return rule.check


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the terminal text -------------------------------------------------------------------------


def render_table(screenings: Sequence[Screening], shown: Shown) -> str:
    """Each screening as text for an 80-column terminal, one after the other."""
    tr = words(shown.lang)
    blocks = [_text_block(result, shown, tr) for result in screenings]
    return "\n".join(blocks)


def _text_block(result: Screening, shown: Shown, tr: Words) -> str:
    out: list[str] = []

    def para(text: str, first: str = "", indent: str = "") -> None:
        out.extend(line.rstrip() for line in wrap(text, WIDTH, indent=indent, first=first))

    para(heading(result, shown, tr))
    para(source_line(shown, tr))
    para(tr(ASSISTS))
    out.append("")
    para(earliest_line(result, tr))
    para(working_line(result, shown, tr))
    for finding in result.binding:
        para(tr("Bound by {criterion}: {rule}", criterion=criterion(finding.rule, tr),
                rule=describe(finding, tr)))  # fmt: skip
        if finding.rule is not None:
            para(f'"{_one_line(finding.rule.cites)}"', first="  ", indent="  ")
    out += ["", tr("Every rule, and the first day it clears:")]
    rows = [
        (criterion(f.rule, tr), clears_text(f, tr), _binds(f, describe(f, tr), tr))
        for f in result.findings
    ]
    first = max(cells(row[0]) for row in rows)
    second = max(cells(row[1]) for row in rows)
    for name, day, text in rows:
        lead = f"  {_pad(name, first)}  {_pad(day, second)}  "
        para(text, first=lead, indent=" " * cells(lead))
    if result.to_check:
        out += ["", tr("To check (the investigator decides):")]
    for check in result.to_check:
        lead = "  - " + (criterion(check.rule, tr) + tr(": ") if check.rule is not None else "")
        para(check_sentence(check, result.screening, tr), first=lead, indent="    ")
        quote = check_quote(check)
        if quote is not None:
            para(f'"{_one_line(quote)}"', first="    ", indent="    ")
    return "\n".join(out) + "\n"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cells(text))


def _binds(finding: Finding, text: str, tr: Words) -> str:
    return tr("binds: {rule}", rule=text) if finding.status == "binds" else text


def heading(result: Screening, shown: Shown, tr: Words = ENGLISH) -> str:
    """'MIL62-CT303 · Phase III · participant CT303-S01 · screening 2025-09-01'."""
    who = (
        tr(" · participant {participant}", participant=result.participant)
        if result.participant
        else ""
    )
    return tr(
        "{protocol} · {phase}{who} · screening {date}",
        protocol=shown.protocol.id,
        phase=tr.term(result.phase.title),
        who=who,
        date=result.screening.isoformat(),
    )


def source_line(shown: Shown, tr: Words = ENGLISH) -> str:
    """Where the quoted criteria come from."""
    return tr(
        "Criteria quoted from the {registry} registry text.", registry=shown.protocol.registry
    )


def earliest_line(result: Screening, tr: Words = ENGLISH) -> str:
    """'Earliest first infusion: 2025-09-18 (Thursday)'."""
    return tr(
        "Earliest first infusion: {date} ({weekday})",
        date=result.earliest.isoformat(),
        weekday=tr.weekday(result.earliest),
    )


def working_line(result: Screening, shown: Shown, tr: Words = ENGLISH) -> str:
    """The site's first working day on or after the earliest date, and why the earliest is not
    one when it is not."""
    status = result.earliest_status
    if status is None:
        return tr("Working days not checked (--no-holidays): plan from that date.")
    first = result.first_working_day
    if first is None:
        return tr("No working day at the site within 60 days of it.")
    line = tr(
        "First working day at the site on or after it: {date} ({weekday})",
        date=first.isoformat(),
        weekday=tr.weekday(first),
    )
    if not status.working:
        line += tr("; {date} is not a working day ({reason})", date=result.earliest.isoformat(),
                   reason=reason_text(status.reason, tr))  # fmt: skip
    if result.provisional:
        line += tr("; holidays not yet published for that year, the day may change")
    return line


# --- JSON ----------------------------------------------------------------------------------------


def document(result: Screening, protocol: Protocol) -> dict[str, object]:
    """A screening as JSON-ready values, keys in a stable order (the README's contract)."""
    status = result.earliest_status
    return {
        "protocol": protocol.id,
        "registry": protocol.registry,
        "participant": result.participant,
        "phase": result.phase.name,
        "phase_title": result.phase.title,
        "screening": result.screening.isoformat(),
        "earliest": result.earliest.isoformat(),
        "first_working_day": _iso(result.first_working_day) or None,
        "earliest_working_day": None if status is None else status.working,
        "earliest_non_working_reason": None if status is None else status.reason,
        "holidays_provisional": result.provisional,
        "binding": [_finding_fields(f) for f in result.binding],
        "rules": [_finding_fields(f) for f in result.findings],
        "to_check": [_check_fields(c, result.screening) for c in result.to_check],
        "decides": "investigator",
    }


def _criterion_fields(rule: Rule | None) -> dict[str, object] | None:
    if rule is None:
        return None
    return {"category": rule.category, "number": rule.number}


def _finding_fields(finding: Finding) -> dict[str, object]:
    rule = finding.rule
    return {
        "criterion": _criterion_fields(rule),
        "kind": "screening" if rule is None else rule.kind,
        "status": finding.status,
        "item": finding.item,
        "since": _iso(finding.since) or None,
        "period": None if rule is None or rule.period is None else str(rule.period),
        "wording": None if rule is None or rule.kind == "attacks" else rule.wording,
        "to": None if rule is None else rule.until,
        "end": _iso(finding.end) or None,
        "clears": _iso(finding.clears) or None,
        "half_life": None if finding.half_life is None else length_text(finding.half_life),
        "mg_per_day": finding.mg,
        "continuous_days": finding.days,
        "after_screening": finding.after_screening,
        "note": describe(finding),
        "cites": None if rule is None else _one_line(rule.cites),
    }


def _check_fields(check: ToCheck, screening: date) -> dict[str, object]:
    quote = check_quote(check)
    return {
        "criterion": _criterion_fields(check.rule),
        "reason": check.reason,
        "item": check.item,
        "on": _iso(check.on) or None,
        "counted": [
            {
                "at_least": counted.rule.at_least,
                "period": str(counted.rule.period),
                "from": counted.since.isoformat(),
                "found": counted.found,
            }
            for counted in check.counted
        ],
        "note": check_sentence(check, screening),
        "quote": None if quote is None else _one_line(quote),
    }


def render_json(screenings: Sequence[Screening], shown: Shown) -> str:
    """One screening as a JSON object; several (a file of candidates) as an array."""
    found = [document(result, shown.protocol) for result in screenings]
    value: object = found[0] if len(found) == 1 else found
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


# --- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "participant", "phase", "screening", "earliest", "first_working_day", "row", "criterion",
    "kind", "status", "item", "since", "period", "wording", "end", "clears", "after_screening",
    "reason", "note", "quote",
)  # fmt: skip


def render_csv(screenings: Sequence[Screening], shown: Shown) -> str:
    """A header, then per person a row per rule and item (`row` rule) and per condition left to
    check (`row` check)."""
    import csv

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")  # as every CSV of the tool (csv_rows)
    writer.writerow(CSV_COLUMNS)
    for result in screenings:
        for row in _csv_rows(result):
            writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return stream.getvalue()


def _csv_rows(result: Screening) -> Iterable[dict[str, object]]:
    head: dict[str, object] = {
        "participant": result.participant,
        "phase": result.phase.name,
        "screening": result.screening.isoformat(),
        "earliest": result.earliest.isoformat(),
        "first_working_day": _iso(result.first_working_day),
    }
    for finding in result.findings:
        fields = _finding_fields(finding)
        yield {
            **head,
            "row": "rule",
            "criterion": _criterion_label(finding.rule),
            **{key: fields[key] for key in ("kind", "status", "item", "since", "period")},
            **{key: fields[key] for key in ("wording", "end", "clears", "after_screening")},
            "note": fields["note"],
            "quote": fields["cites"],
        }
    for check in result.to_check:
        fields = _check_fields(check, result.screening)
        yield {
            **head,
            "row": "check",
            "criterion": "" if check.rule is None else _criterion_label(check.rule),
            "item": check.item,
            "since": fields["on"],
            "reason": check.reason,
            "note": fields["note"],
            "quote": fields["quote"],
        }


def _criterion_label(rule: Rule | None) -> str:
    """'exclusion 4' (a contract: never translated), or 'screening'."""
    return "screening" if rule is None else f"{rule.category} {rule.number}"


# --- Markdown ------------------------------------------------------------------------------------


def render_md(screenings: Sequence[Screening], shown: Shown) -> str:
    """Each screening as a Markdown section: the dates, a table of the rules, what to check."""
    tr = words(shown.lang)
    return "\n".join(_md_block(result, shown, tr) for result in screenings)


def _md_block(result: Screening, shown: Shown, tr: Words) -> str:
    lines = [f"## {literal(heading(result, shown, tr))}", ""]
    lines += [literal(source_line(shown, tr)), f"*{literal(tr(ASSISTS))}*", ""]
    lines.append(f"- **{literal(earliest_line(result, tr))}**")
    lines.append(f"- {literal(working_line(result, shown, tr))}")
    for finding in result.binding:
        bound = tr("Bound by {criterion}: {rule}", criterion=criterion(finding.rule, tr),
                   rule=describe(finding, tr))  # fmt: skip
        lines.append(f"- {literal(bound)}")
        if finding.rule is not None:
            lines += ["", f"  > {literal(_one_line(finding.rule.cites))}"]
    headings = (tr("Criterion"), tr("Clears"), tr("Rule"))
    lines += ["", "| " + " | ".join(map(literal, headings)) + " |", "|---|---|---|"]
    for finding in result.findings:
        row = (criterion(finding.rule, tr), clears_text(finding, tr),
               _binds(finding, describe(finding, tr), tr))  # fmt: skip
        lines.append("| " + " | ".join(map(literal, row)) + " |")
    if result.to_check:
        lines += ["", f"### {literal(tr('To check (the investigator decides):'))}", ""]
    for check in result.to_check:
        lead = criterion(check.rule, tr) + tr(": ") if check.rule is not None else ""
        lines.append(f"- {literal(lead + check_sentence(check, result.screening, tr))}")
        quote = check_quote(check)
        if quote is not None:
            lines += ["", f"  > {literal(_one_line(quote))}", ""]
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# --- the registry of a screening's formats -------------------------------------------------------


class ScreenFormat(NamedTuple):
    """One output of `screen`: its name, file extensions, renderer, and whether it is made for a
    terminal (the plan that `--plan` adds is then styled as `plan` styles it)."""

    name: str
    extensions: tuple[str, ...]
    render: Callable[[Sequence[Screening], Shown], str]
    terminal: bool = False


FORMATS = (
    ScreenFormat("table", (".txt",), render_table, terminal=True),
    ScreenFormat("json", (".json",), render_json),
    ScreenFormat("csv", (".csv",), render_csv),
    ScreenFormat("md", (".md",), render_md),
)
