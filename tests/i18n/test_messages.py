"""Messages (issue 16 #8): words made where they arise, as an English template (the gettext
msgid) with its values, and rendered once, at the edge, in the reader's language."""

from __future__ import annotations

import ast
import functools
import re
from datetime import date
from pathlib import Path

import pytest

from mil62sched.errors import BadRowsError, RecordError, UsageError
from mil62sched.i18n import render
from mil62sched.messages import Lines, Listing, Localized, Message, Weekday, lines, literal, msg
from tests.conftest import PACKAGE, ROOT


def test_str_is_english_and_values_keep_their_form() -> None:
    said = msg(
        "{count:,} rows in {file} from {day} ({weekday}); use {forms}",
        count=12345,
        file="roster.csv",
        day=date(2025, 10, 1),
        weekday=Weekday(date(2025, 10, 1)),
        forms=Listing(["a", "b", "c"], "or"),
    )
    assert str(said) == ("12,345 rows in roster.csv from 2025-10-01 (Wednesday); use a, b or c")
    assert render(said, "en") == str(said)


def test_chinese_comes_from_the_catalogue_and_values_stay_as_typed() -> None:
    # The catalogue's "{problem}: {accepted}" and "{where}: {problem}", with a literal inside.
    said = msg(
        "{where}: {problem}",
        where="r.csv",
        problem=msg("{problem}: {accepted}", problem=literal("bad"), accepted="x"),
    )
    assert render(said, "zh") == "r.csv：bad：x"
    assert str(said) == "r.csv: bad: x"


def test_lists_and_weekdays_in_chinese() -> None:
    assert render(msg("{x}", x=["a", "b"]), "zh") == "a、b"  # issue 16 #9: 、 between items
    assert render(msg("{x}", x=Listing(["a", "b"], "or")), "zh") == "a 或 b"
    assert render(msg("{x}", x=Listing(["a"], "or")), "zh") == "a"
    assert render(msg("{x}", x=Weekday(date(2025, 10, 5), short=True)), "zh") == "周日"
    assert str(msg("{x}", x=Weekday(date(2025, 10, 5), short=True))) == "Sun"


def test_a_localized_word_is_its_english_everywhere_a_string_is_expected() -> None:
    import json

    holiday = Localized("National Day", {"zh": "国庆节"})
    assert holiday == "National Day"
    assert json.dumps({"reason": holiday}) == '{"reason": "National Day"}'
    assert render(msg("{x}", x=holiday), "zh") == "国庆节"
    assert render(msg("{x}", x=holiday), "en") == "National Day"
    # No word of its own: the catalogue's (a word of ours), else the English.
    assert render(msg("{x}", x=Localized("Monday")), "zh") == "周一"
    assert render(msg("{x}", x=Localized("Columbus Day")), "zh") == "Columbus Day"
    # A translation may itself be a message.
    made = Localized("Day off", {"zh": msg("{x}", x=Localized("Monday"))})
    assert render(msg("{x}", x=made), "zh") == "周一"


def test_a_plain_string_value_is_never_translated() -> None:
    assert render(msg("{x}", x="Monday"), "zh") == "Monday"


def test_messages_compare_hash_and_fill() -> None:
    first = msg("{record} is late", day=date(2025, 1, 1))
    assert first == msg("{record} is late", day=date(2025, 1, 1))
    assert hash(first) == hash(msg("{record} is late", day=date(2025, 1, 1)))
    assert {first: 1}[msg("{record} is late", day=date(2025, 1, 1))] == 1
    assert str(first.filled(record="W3D1")) == "W3D1 is late"
    assert str(Message("plain")) == "plain"


def test_lines_are_one_a_line() -> None:
    said = lines([msg("{x} one", x="a"), "literal two"])
    assert str(said) == "a one\nliteral two"
    assert render(msg("{x}", x=Lines(["a", "b"])), "zh") == "a\nb"


def test_an_error_is_its_parts_in_english_and_in_chinese() -> None:
    accepted = msg("accepted: {names}", names=["a"])
    error = UsageError(msg("unknown arm"), value="x", accepted=accepted)
    assert error.line() == str(error) == "unknown arm 'x': accepted: a"
    assert render(error.message(), "zh") == "未知的组别 'x'：可用：a"
    error.named("--arm")
    assert error.line() == "--arm 'x' unknown arm: accepted: a"


def test_a_record_error_names_its_record_as_each_front_end_shows_it() -> None:
    error = RecordError(
        msg("{record} is in the future (today is {date})", date=date(2024, 2, 1)),
        code="W3D1",
        record="W3D1=2030-01-01",
        source="actual",
        field="start",
    )
    assert error.line() == (
        "--actual W3D1=2030-01-01 is in the future (today is 2024-02-01) (--start)"
    )
    assert str(error.as_row("CT-1")) == (
        "CT-1: W3D1=2030-01-01 is in the future (today is 2024-02-01) (the roster's start)"
    )


def test_bad_rows_are_a_line_each() -> None:
    error = BadRowsError([msg("{file} line {line}", file="r.csv", line=2)], "1 bad row")
    assert error.line() == "r.csv line 2\n1 bad row"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missing_value_is_a_defect_not_a_silent_gap(lang: str) -> None:
    with pytest.raises(KeyError):
        render(msg("{file} line {line}", file="r.csv"), lang)


# --- what a Chinese reader reads has no English words (issue 16 #8) -----------------------------
#
# Allowed in a Chinese line: option names (--start), values quoted as typed ('01/02/2024'; a
# word of the data that is also English, a column such as 'start' or a status such as 'done', is
# quoted in Chinese for that reason: `messages.Keyword`), codes and anything with a digit (W3D1,
# D-28, 2025-08-18, phase3-rcp, MIL62, UTF-8), file names and paths (roster.csv,
# Asia/Shanghai), key paths (schedules[0].visits, escalate_at), upper-case words (CSV, TOML, ISO,
# RCP, YYYY, CODE), and the ALLOWED words below: the commands and formats one types, proper names
# (Excel, WPS, Windows, Chromium, the holidays package) and the drug names of the protocol.

PROPER_NAMES = {
    *("excel", "windows", "macos", "chromium", "google", "chrome", "debian", "ubuntu"),
    *("holidays", "mil62sched", "unicode", "wndm", "mib", "zip", "dataset-json"),
}


@functools.cache
def allowed_words() -> frozenset[str]:
    """The words one types (commands, formats, encodings, arm names, drug names) and proper
    names, lower case."""
    import typer

    from mil62sched import formats, protocol
    from mil62sched.cli import app
    from mil62sched.inputs import INPUT_ENCODINGS
    from mil62sched.protocol.criteria import load_eligibility

    trial = protocol.load()
    eligibility = load_eligibility(trial)
    others = [protocol.load(ROOT / SAKURA).id]  # protocol ids
    group = typer.main.get_command(app)
    commands = set(getattr(group, "commands", {})) | {"validate", "show", "diff", "schema"}
    words = {
        *formats.names(), *INPUT_ENCODINGS, *trial.arm_names(), *eligibility.classes,
        *eligibility.members(), *commands, *PROPER_NAMES, *others,
    }  # fmt: skip
    return frozenset(word.lower() for word in words)


# A run of ASCII that is not a word: it holds a digit, a path or file mark, a key path's
# brackets, '=' or '_', or starts as an option does.
_RUN = re.compile(r"[A-Za-z0-9_\-./:@\\=<>\[\]*+~]+")
_NOT_A_WORD = re.compile(r"[\d./\\@=\[\]_:<>*+~]|^-")
# Quoted: a value as typed ('...', on one line) or a registry's words ("...", which may span lines).
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"[^\"]*\"")
_PREFIX = re.compile(r"^mil62sched: (?:error|warning|note): ", re.MULTILINE)


def english_words(text: str) -> list[str]:
    """The English words of `text`, what a Chinese reader reads, outside what is allowed.

    >>> english_words("无效的 --start 日期 '01/02/2024'：请用 ISO 8601 格式")
    []
    >>> english_words("无效的 start date")
    ['start', 'date']
    """
    text = _QUOTED.sub(" ", _PREFIX.sub("", text))
    found = []
    for found_run in _RUN.findall(text):
        run = found_run.rstrip(".:")  # a sentence's full stop or colon, not a file's
        if _NOT_A_WORD.search(run) or run.isupper() or run.lower() in allowed_words():
            continue
        for word in re.findall(r"[A-Za-z]{3,}", run):
            if word.lower() not in allowed_words() and not word.isupper():
                found.append(word)
    return found


def test_english_words_are_found_and_data_is_not() -> None:
    assert english_words("无效的 start date '06/01/2025'") == ["start", "date"]
    assert english_words("请用 done or missed") == ["done", "missed"]
    assert english_words("请用 'done' 或 'missed'") == []
    assert english_words("mil62sched: error: (Possible options: --arm, --force)") == [
        "Possible",
        "options",
    ]
    assert english_words("browser not found") == ["browser", "not", "found"]
    assert (
        english_words("W1D1、D-28、phase3-rcp、roster.csv、schedules[0].visits、CSV、--olp-start")
        == []
    )
    assert english_words("可用：table、csv、calendar、Excel、ivig") == []


def test_no_translation_has_an_english_word() -> None:
    """Every Chinese sentence of the catalogue, its placeholders left out."""
    found = {
        msgid: words
        for msgid, msgstr in _translations().items()
        if msgid and (words := english_words(re.sub(r"\{[^{}]*\}", "X0", msgstr)))
    }
    assert not found, found


def _translations() -> dict[str, str]:
    import importlib.util

    root = ROOT
    spec = importlib.util.spec_from_file_location("msgfmt", root / "tools" / "msgfmt.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    po = root / "src" / "mil62sched" / "locale" / "zh_CN" / "LC_MESSAGES" / "mil62sched.po"
    entries: dict[str, str] = module.entries(po.read_text(encoding="utf-8"))
    return entries


# Every refusal, warning and note a run can say, each by a command that says it. A case is the
# arguments after `mil62sched` (with {d} for the cases' folder, whose files `_files` writes);
# `--lang zh` is added where the command takes it, else MIL62SCHED_LANG=zh says it.
PLAN = "plan --arm phase3-rcp --start 2025-09-17"
SAKURA = "examples/protocols/satralizumab-sakurastar.toml"
AMENDMENT = "examples/protocols/mil62-ct303-amendment-example.toml"
BUILTIN = "src/mil62sched/protocol/mil62-ct303.toml"
ROSTER = "participant,arm,start"
CASES: dict[str, str] = {
    # dates, codes, IDs, windows, times and lengths typed on the command line (parse)
    "ambiguous start": "plan --arm phase3-rcp --start 01/02/2024",
    "no such start": "plan --arm phase3-rcp --start 2025-02-30",
    "start not a date": "plan --arm phase3-rcp --start tomorrow",
    "today not a date": f"{PLAN} --today x",
    "window": f"{PLAN} --window 1,x",
    "time": f"{PLAN} --time 25:00 --format ics",
    "duration": f"{PLAN} --time 09:00 --duration 0m --format ics",
    "duration form": f"{PLAN} --time 09:00 --duration x --format ics",
    "duration too long": f"{PLAN} --time 09:00 --duration 20h --format ics",
    "remind": f"{PLAN} --time 09:00 --remind 40d --format ics",
    "time zone": f"{PLAN} --time 09:00 --tz Mars/Base --format ics",
    "tz without time": f"{PLAN} --tz Asia/Shanghai",
    "participant": f"{PLAN} --participant a/b",
    "participant unblinded": f"{PLAN} --participant UNBLINDED-1",
    "participant device": f"{PLAN} --participant CON",
    "escalate code": "plan --arm phase1b-500 --start 2025-09-01 --escalate-at W0D1",
    "escalate early": "plan --arm phase1b-500 --start 2025-09-01 --escalate-at W3D1",
    "escalate arm": f"{PLAN} --escalate-at W25D1",
    "actual form": f"{PLAN} --actual W3D1",
    "actual code": f"{PLAN} --actual W0D1=2025-10-01",
    "actual period form": f"{PLAN} --actual 'R/P:W3D1=2025-10-01'",
    "actual date": f"{PLAN} --actual W3D1=01/10/2025",
    "actual twice": f"{PLAN} --actual W3D1=2025-10-01 --actual W3D1=2025-10-02",
    "actual and missed": f"{PLAN} --actual W3D1=2025-10-01 --missed W3D1",
    "actual future": f"{PLAN} --actual W3D1=2030-01-01 --today 2025-10-10",
    "actual order": f"{PLAN} --actual W3D1=2025-10-01 --actual W25D1=2025-09-30 --today 2026-05-01",
    "actual pending": f"{PLAN} --actual W25D1=2025-09-30 --today 2026-05-01",
    "actual not a visit": f"{PLAN} --actual W5D1=2025-10-15 --today 2026-05-01",
    "actual w1d1": f"{PLAN} --actual W1D1=2025-09-18 --today 2026-05-01",
    "actual before w1d1": "plan --arm phase3 --start 2025-09-17 --actual OLP:W3D1=2026-09-01 "
    "--olp-start 2026-09-16 --today 2026-12-01",
    "actual after next period": "plan --arm phase3 --start 2025-09-17 "
    "--actual RCP:W25D1=2026-09-20 --olp-start 2026-09-16 --today 2026-12-01",
    "actual in two periods": "plan --arm phase3 --start 2025-09-17 --actual W3D1=2025-10-01 "
    "--today 2026-12-01",
    "missed too soon": f"{PLAN} --missed W25D1 --today 2025-10-01",
    "missed olp w1d1": "plan --arm phase3 --start 2025-09-17 --missed OLP:W1D1 --today 2027-01-01",
    "missed code": f"{PLAN} --missed W0D1",
    "olp start before": "plan --arm phase3 --start 2025-09-17 --olp-start 2025-09-01",
    "olp start not a date": "plan --arm phase3 --start 2025-09-17 --olp-start 2025/09/01",
    "olp start disagrees": "plan --arm phase3 --start 2025-09-17 --olp-start 2026-09-16 "
    "--actual OLP:W1D1=2026-09-17 --today 2027-01-01",
    "olp start twice": "plan --arm phase3 --start 2025-09-17 --olp-start 2026-09-16 "
    "--period-start OLP=2026-09-17",
    "period start form": "plan --arm phase3 --start 2025-09-17 --period-start 2026-09-16",
    "period start no period": f"{PLAN} --period-start OLP=2026-09-16",
    "period start journey": "plan --arm phase3 --start 2025-09-17 --period-start XYZ=2026-09-16",
    "too late": "plan --arm phase3 --start 9999-01-01",
    "day before 1": "day 2023-12-01 --start 2024-01-01",
    "day code": "day W0D9 --start 2024-01-01",
    "day far": "day D-999999 --start 0001-01-02",
    "day date": "day 2024/01/01 --start 2024-01-01",
    # choices (arms, formats, languages, papers, encodings, sheets, anchors)
    "unknown arm": "plan --arm phase3-rpc --start 2025-09-17",
    "unknown arm far": "plan --arm xyzzy --start 2025-09-17",
    "unknown format": f"{PLAN} --format pdfx",
    "extension": f"{PLAN} -o {{d}}/x.pdfq",
    "roster format": "roster examples/roster.csv --format calendar",
    "agenda format": "agenda examples/roster.csv --format md",
    "paper": f"{PLAN} --format html --paper b5",
    "anchor": f"{PLAN} --anchor last",
    "encoding": "roster examples/roster.csv --encoding latin1",
    "no holidays with holidays": f"{PLAN} --no-holidays --country CN",
    "country": f"{PLAN} --country XX",
    "days": "agenda examples/roster.csv --days 0",
    "days text": "agenda examples/roster.csv --days abc",
    "chairs": "agenda examples/roster.csv --chairs x",
    "split and output": "roster examples/roster.csv -o {d}/a.csv --split {d}/s",
    "browser": f"{PLAN} --format pdf -o {{d}}/c.pdf --browser /no/such/browser",
    # click's usage errors, said from their parts
    "no such option": f"{PLAN} --frmat x",
    "needs a value": "plan --arm",
    "takes no value": f"{PLAN} --force=3",
    "missing arm": "plan --start 2025-09-17",
    "missing start": "plan --arm phase3-rcp",
    "missing roster": "roster",
    "missing what": "day --start 2024-01-01",
    "missing folder": "sdtm",
    "missing file": "protocol validate",
    "extra argument": "roster examples/roster.csv extra",
    "no such command": "plann",
    "no such subcommand": "protocol nothing",
    # outputs
    "exists": f"{PLAN} -o {{d}}/exists.csv",
    "output folder": f"{PLAN} -o {{d}}",
    "no folder": f"{PLAN} -o {{d}}/no/such/x.csv",
    "empty output": f"{PLAN} -o ''",
    "split is a file": "roster examples/roster.csv --split {d}/exists.csv",
    "split exists": "roster examples/roster.csv --split {d}/split",
    "sdtm stdout": "sdtm -o -",
    "sdtm file": "sdtm -o {d}/exists.csv",
    # roster, actuals, holiday, candidate and site files
    "roster missing": "roster {d}/none.csv",
    "roster empty": "roster {d}/empty.csv",
    "roster column missing": "roster {d}/no-arm.csv",
    "roster column twice": "roster {d}/twice.csv",
    "roster start column": "roster {d}/ole.csv",
    "roster rows": "roster {d}/bad-rows.csv",
    "roster skip bad": "roster {d}/bad-rows.csv --skip-bad --format csv",
    "roster none valid": "roster {d}/no-valid.csv",
    "roster quote": "roster {d}/quote.csv",
    "roster gb18030": "roster {d}/gbk.csv --format csv",
    "roster not utf-8": "roster {d}/gbk.csv --encoding utf-8",
    "roster not gb18030": "roster {d}/utf16.csv --encoding gb18030",
    "roster clash": "roster {d}/clash.csv --split {d}/clash",
    "roster period start": "roster {d}/period.csv",
    "actuals rows": "roster examples/roster.csv --actuals {d}/bad-actuals.csv --today 2025-10-10",
    "actuals record": "roster examples/roster.csv --actuals {d}/late-actuals.csv --today "
    "2025-10-10",
    "holidays rows": f"{PLAN} --holidays {{d}}/bad-holidays.csv",
    "holidays header": f"{PLAN} --holidays {{d}}/bad-header.csv",
    "holidays off": f"{PLAN} --holidays {{d}}/bad-header.csv --no-holidays",
    "holidays missing": f"{PLAN} --holidays {{d}}/none.csv",
    "site key": f"{PLAN} --format html --site {{d}}/site-key.toml",
    "site type": f"{PLAN} --format html --site {{d}}/site-type.toml",
    "site toml": f"{PLAN} --format html --site {{d}}/site-toml.toml",
    "site name": f"{PLAN} --format html --site {{d}}/site-name.toml",
    "site email": f"{PLAN} --format html --site {{d}}/site-email.toml",
    "site zone": f"{PLAN} --format html --site {{d}}/site-zone.toml",
    "site missing": f"{PLAN} --format html --site {{d}}/none.toml",
    "workbook xls": "roster {d}/old.xls",
    "workbook broken": "roster {d}/broken.xlsx",
    "workbook sheet": "roster {d}/sheets.xlsx --sheet nope",
    "workbook sheets": "roster {d}/sheets.xlsx --format csv",
    "workbook numbers": "roster {d}/numbers.xlsx --format csv",
    "workbook id date": "roster {d}/date-id.xlsx",
    # protocol files
    "protocol missing": "plan --protocol {d}/none.toml --arm a --start 2025-09-17",
    "protocol toml": "plan --protocol {d}/not.toml --arm a --start 2025-09-17",
    "protocol format": "plan --protocol {d}/format.toml --arm a --start 2025-09-17",
    "protocol invalid": "plan --protocol {d}/invalid.toml --arm phase3-rcp --start 2025-09-17",
    "validate": "protocol validate {d}/invalid.toml",
    "validate many": "protocol validate {d}/many.toml",
    "validate not toml": "protocol validate {d}/not.toml",
    "validate valid": "protocol validate examples/protocols/satralizumab-sakurastar.toml",
    "screen no eligibility": "screen --protocol examples/protocols/satralizumab-sakurastar.toml "
    "--phase 3 --screening 2025-09-01",
    # screening
    "screen phase": "screen --phase 9 --screening 2025-09-01",
    "screen no phase": "screen --screening 2025-09-01",
    "screen no date": "screen --phase 3",
    "screen drug": "screen --phase 3 --screening 2025-09-01 --last tocilizumb=2025-06-01",
    "screen half-life": "screen --phase 1b --screening 2025-09-01 --last azathioprine=2025-08-01",
    "screen dose": "screen --phase 3 --screening 2025-09-01 --last prednisone=2025-08-01",
    "screen pair": "screen --phase 3 --screening 2025-09-01 --last tocilizumab",
    "screen class": "screen --phase 3 --screening 2025-09-01 --last x=2025-08-01 --class x=nope",
    "screen arm": "screen --phase 1b --screening 2025-09-01 --plan --arm phase3-rcp",
    "screen plan csv": "screen --phase 3 --screening 2025-09-01 --plan --arm phase3-rcp "
    "--format csv",
    "screen file": "screen {d}/bad-candidates.csv",
    "screen file and history": "screen examples/candidates.csv --phase 3",
    "screen mg": "screen --phase 3 --screening 2025-09-01 --steroid-dose lots",
    "screen twice": "screen --phase 3 --screening 2025-09-01 --attack 2025-08-01 "
    "--attack 2025-08-01",
    # protocol amendments (amend, --amends, protocol diff; issue 18's words, issue 16 #8)
    "amend other trial": f"amend builtin {SAKURA} examples/roster.csv --effective 2025-12-01",
    "amend no version": f"amend {AMENDMENT} builtin examples/roster.csv --effective 2025-12-01",
    "amend same version": f"amend {AMENDMENT} {AMENDMENT} examples/roster.csv --effective "
    "2025-12-01",
    "amend amends": "amend builtin {d}/amends.toml examples/roster.csv --effective 2025-12-01",
    "amend renamed": "amend builtin {d}/renamed.toml {d}/p1b.csv --effective 2025-12-01",
    "amend no date": f"amend builtin {AMENDMENT} examples/roster.csv",
    "amend amended_on": f"amend builtin {AMENDMENT} {{d}}/amended-on.csv --today 2026-03-16 "
    "--effective 2025-12-01",
    "amend window": f"amend builtin {AMENDMENT} {{d}}/rcp.csv --today 2026-03-16 --effective "
    "2026-03-20",
    "amend format": f"amend builtin {AMENDMENT} examples/roster.csv --effective 2025-12-01 "
    "--format nope",
    "amend extension": f"amend builtin {AMENDMENT} examples/roster.csv --effective 2025-12-01 "
    "-o {{d}}/x.pdfq",
    "amend folder": f"amend builtin {AMENDMENT} examples/roster.csv --effective 2025-12-01 "
    "-o {{d}}",
    "amend table": f"amend builtin {AMENDMENT} {{d}}/rcp.csv --today 2026-03-16 --effective "
    "2025-12-01",
    "effective alone": f"{PLAN} --effective 2025-12-01",
    "amends without effective": f"plan --protocol {AMENDMENT} --amends builtin --arm phase3-rcp "
    "--start 2025-10-06",
    "plan amended": f"plan --protocol {AMENDMENT} --amends builtin --effective 2025-12-01 --arm "
    "phase3-rcp --start 2025-10-06",
    "protocol diff": f"protocol diff {BUILTIN} {AMENDMENT}",
    "validate arm map": "protocol validate {d}/arm-map.toml",
    # warnings and notes
    "chairs over": "roster examples/roster.csv --chairs 1 --format csv",
    "chairs balanced": "roster {d}/crowded.csv --chairs 1 --adjust --today 2025-09-01 --format csv",
    "mixed blinding": "roster {d}/mixed.csv --format csv",
    "time ignored": f"{PLAN} --time 09:00 --format csv",
    "times ignored": f"{PLAN} --time 09:00 --duration 2h --remind 1d --format csv",
    "paper ignored": f"{PLAN} --paper a5 --format csv",
    "browser ignored": f"{PLAN} --browser chromium --format html -o {{d}}/card.html",
    "no phone": f"{PLAN} --format html -o {{d}}/phone.html",
    "study dates": "plan --arm phase3 --start 2026-01-05 --format csv",
    "study start": "plan --arm phase3-rcp --start 2022-01-03 --format csv",
    "roster study dates": "roster {d}/late.csv --format csv",
    "sdtm notes": "sdtm -o {d}/sdtm --protocol examples/protocols/satralizumab-sakurastar.toml",
    "sdtm": "sdtm -o {d}/sdtm-builtin",
    # notes of the plan itself (the table's)
    "note national day": "plan --arm phase3-rcp --start 2025-09-17",
    "note proposed": "plan --arm phase3-rcp --start 2025-09-17 --window 3",
    "note moved": "plan --arm phase3-rcp --start 2025-09-17 --window 3 --adjust",
    "note w1d1 closed": "plan --arm phase3-rcp --start 2025-10-01 --window 3",
    "note no working day": "plan --arm phase3-rcp --start 2025-09-17 --window 1",
    "note dropped": "plan --arm phase3 --start 2025-09-17 --olp-start 2026-01-07",
    "note assumed": "plan --arm phase3 --start 2025-09-17",
    "note provisional": "plan --arm phase1b-500 --start 2025-09-17",
    # what people read on standard output (the machine formats are the contracts', English)
    "markdown": "plan --arm phase3 --start 2025-08-18 --window 3 --adjust --actual "
    "RCP:W1D1=2025-08-18 --missed RCP:W3D1 --today 2025-10-10 --format md",
    "month view": "plan --arm phase3 --start 2025-08-18 --window 3 --actual RCP:W1D1=2025-08-18 "
    "--missed RCP:W3D1 --today 2025-10-10 --format calendar",
    "escalation": "plan --arm phase1b-500 --start 2024-03-04 --escalate-at W53D1 --window 1,2",
    "roster table": "roster examples/roster.csv --actuals examples/actuals.csv --today 2025-10-10",
    "agenda table": "agenda examples/roster.csv --actuals examples/actuals.csv --from 2025-09-29 "
    "--today 2025-09-29 --chairs 1",
    "agenda empty": "agenda examples/roster.csv --from 2031-01-01 --today 2031-01-01",
    "day of a code": "day W25D1 --start 2024-01-01",
    "day of a date": "day 2024-06-17 --start 2024-01-01",
    "day before": "day D-28 --start 2024-01-01",
    "arms": "arms",
    "protocol show": "protocol show",
    "screen table": "screen --phase 3 --screening 2025-09-01 --last tocilizumab=2025-06-01 "
    "--last ivig=2025-08-20 --attack 2025-08-01 --steroid-dose 15",
    "screen md": "screen examples/candidates.csv --format md",
    "screen plan": "screen --phase 3 --screening 2025-09-01 --plan --arm phase3-rcp",
    "screen holiday": "screen --phase 3 --screening 2025-09-28",
    # protocol amendments: the amend table and its notes, a plan's amendment note; the agenda's
    # untracked participants (issue 16 #11)
    "amend reconsented": f"amend builtin {AMENDMENT} examples/roster-amendment.csv "
    "--effective 2025-10-01 --today 2026-04-01",
    "amend md": f"amend builtin {AMENDMENT} examples/roster-amendment.csv --effective "
    "2025-10-01 --today 2026-04-01 --format md",
    "amended plan": f"plan --arm phase3 --start 2025-06-02 --amends builtin --protocol "
    f"{AMENDMENT} --effective 2025-10-01",
    "agenda untracked": "agenda examples/roster.csv --from 2025-09-29 --today 2025-09-29",
}
# Commands without --lang: the environment says the language.
NO_LANG = ("sdtm", "protocol", "plann")


def _files(folder: Path) -> None:
    """The files the cases read: each broken in its own way."""
    import openpyxl

    def write(name: str, text: str, encoding: str = "utf-8") -> None:
        (folder / name).write_text(text, encoding=encoding)

    write("exists.csv", "kept\n")
    example = (ROOT / AMENDMENT).read_text(encoding="utf-8")
    write(
        "amends.toml",
        example.replace('version = "example-1"\n', 'version = "example-1"\namends = "9.9"\n', 1),
    )
    write(
        "renamed.toml",
        example.replace('name = "phase1b-500"', 'name = "phase1b-low"')
        .replace('arm = "phase1b-500"', 'arm = "phase1b-low"')
        .replace(
            'arms = ["phase1b-500", "phase1b-1000"]', 'arms = ["phase1b-low", "phase1b-1000"]'
        ),
    )
    write("arm-map.toml", example + '\n[arm_map]\nphase3-old = "phase9"\n')
    write("p1b.csv", f"{ROSTER}\nP1B,phase1b-500,2025-09-15\n")
    write("rcp.csv", f"{ROSTER}\nRCP,phase3-rcp,2025-10-06\n")
    write("amended-on.csv", f"{ROSTER},amended_on\nA,phase3-rcp,2025-10-06,2025-10-05\n"
          "B,phase3-rcp,2025-10-06,2026-03-17\n")  # fmt: skip
    (folder / "split").mkdir()
    write("split/CT303-0001.ics", "kept\n")
    write("empty.csv", "")
    write("no-arm.csv", "participant,start\nP1,2025-09-01\n")
    write("twice.csv", "participant,arm,arm,start\nP1,phase3,phase3,2025-09-01\n")
    write("ole.csv", f"{ROSTER},ole_start\nP1,phase3,2025-09-01,2026-09-01\n")
    write(
        "bad-rows.csv",
        f"{ROSTER},escalate_at,window\nP1,phase3-rcp,2025-01-06,,\nP1,phase3-rcp,2025-01-06,,\n"
        "p1,phase3-rcp,2025-01-06,,\nP/2,phase3-rcp,2025-01-06,,\nP3,phase3-rcx,06/01/2025,,\n"
        "P4,phase3-rcp,2025-01-06,W25D1,\nP5,phase3-rcp,2025-01-06,,1,x\nP6,phase3-rcp\n"
        "P7,,2025-01-06,,\nP8,phase3-rcp,2025年1月32日,,\nP9,phase3-rcp,2025/1/6 9:30,,\n"
        "P10,phase1b-500,2025-01-06,W3D1,\nUNBLINDED-3,phase3-rcp,2025-01-06,,\n",
    )
    write("no-valid.csv", f"{ROSTER}\nP/1,phase3-rcp,2025-01-06\n")
    write("quote.csv", f'{ROSTER}\nP1,phase3-rcp,"2025-01-06\nP2,phase3-rcp,2025-01-06\n')
    write("gbk.csv", f"{ROSTER},note\nP1,phase3-rcp,2025-09-01,国庆\n", "gb18030")
    write("utf16.csv", f"{ROSTER}\nP1,phase3-rcp,2025-09-01\n", "utf-16")
    write("clash.csv", f"{ROSTER}\nAb,phase3-rcp,2025-09-01\naB,phase3-rcp,2025-09-02\n")
    write("crowded.csv", f"{ROSTER},window\nA,phase3-rcp,2025-09-01,0\nB,phase3-rcp,2025-09-01,0\n"
          "C,phase3-rcp,2025-09-01,2\n")  # fmt: skip
    write("mixed.csv", f"{ROSTER}\nA1,phase3-rcp,2025-09-01\nA2,phase3-rcp-mil62,2025-09-01\n")
    write("late.csv", f"{ROSTER}\nA1,phase3,2026-09-01\nA2,phase3-rcp,2022-01-03\n")
    write("period.csv", f"{ROSTER},olp_start\nP1,phase3-rcp,2025-09-01,2026-09-01\n"
          "P2,phase3,2025-09-01,2025-08-01\n")  # fmt: skip
    write(
        "bad-actuals.csv",
        "participant,code,date,status\nCT303-0001,W0D1,2025-09-01,done\n"
        "CT303-0001,RCP:W3D1,2025-09-03,gone\nCT303-0001,RCP:W3D1,2025-09-03,done\n"
        "CT303-0001,RCP:W3D1,2025-09-04,done\nCT303-9999,W1D1,2025-09-01,done\n"
        "CT303-0002,RCP:W1D1,,done\n",
    )
    write(
        "late-actuals.csv",
        "participant,code,date,status\nCT303-0001,RCP:W3D1,2026-09-03,done\n"
        "CT303-0002,RCP:W25D1,,missed\nCT303-0003,W5D1,2025-09-20,done\n",
    )
    write(
        "bad-holidays.csv",
        "date,name,kind\n2027-02-30,X,holiday\n2027-03-07,Y,work\n2027-03-08,,holiday\n"
        "2027-03-09,Z,holiday,extra\n2027-03-10\n2027-03-11,W,holiday\n2027-03-11,W,holiday\n"
        "2027-03-12,\x1b,holiday\n",
    )
    write("bad-header.csv", "date,name\n2027-02-01,X\n")
    write("site-key.toml", 'name = "Ward"\nfax = "1"\n')
    write("site-type.toml", 'name = "Ward"\nphone = 5\n')
    write("site-toml.toml", 'name = "Ward\n')
    write("site-name.toml", 'phone = "1"\n')
    write("site-email.toml", 'name = "Ward"\nemail = "not an address"\n')
    write("site-zone.toml", 'name = "Ward"\ntimezone = "Mars/Base"\n')
    write("not.toml", "format = \n")
    write("format.toml", "format = 2\n")
    from mil62sched import protocol

    text = protocol.BUILTIN.read_text(encoding="utf-8")
    write("invalid.toml", text.replace('masking = "blinded"', 'masking = "hidden"', 1))
    many = text.replace("format = 1", "format = 1\nsurprise = true", 1)
    many = many.replace('title = "Phase 1b, MIL62 500 mg"', 'title = ""', 1)
    many = many.replace('period = "RCP"', 'period = "rcp!"', 1)
    write("many.toml", many)
    write(
        "bad-candidates.csv",
        "participant,phase,screening,item,name,date,value\nS1,3,2025-09-01,last,nope,2025-08-01,\n"
        "S1,1b,2025-09-01,,,,\nS2,3,2025-09-01,lunch,,,\nS3,3,2025-09-01,attack,,,\n"
        "S4,3,2025-09-01,steroid-dose,,,15\nS4,3,2025-09-01,steroid-dose,,,20\n"
        "S5,3,2025-09-02,last,tocilizumab,2025-08-01,\nS5,3,2025-09-03,,,,\n",
    )
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Roster"
    for row in (["participant", "arm", "start"], ["P1", "phase3-rcp", "2025-09-01"]):
        sheet.append(row)
    book.create_sheet("Old").append(["participant", "arm", "start"])
    book.save(folder / "sheets.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["participant", "arm", "start"], [42, "phase3-rcp", "2025-09-01"]):
        sheet.append(row)
    book.save(folder / "numbers.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["participant", "arm", "start"], [date(2025, 1, 2), "phase3-rcp", "2025-09-01"]):
        sheet.append(row)
    book.save(folder / "date-id.xlsx")


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cases")
    _files(folder)
    return folder


def _said_in_chinese(case: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the case's run says on standard error, in Chinese."""
    import shlex

    from typer.testing import CliRunner

    from mil62sched.cli import app

    args = shlex.split(CASES[case].format(d=folder))
    if args[0] in NO_LANG:
        monkeypatch.setenv("MIL62SCHED_LANG", "zh")
    else:
        args += ["--lang", "zh"]
    root = ROOT
    monkeypatch.chdir(root)  # the examples/ of the cases
    result = CliRunner().invoke(app, args, prog_name="mil62sched")
    assert "Traceback" not in result.stderr, result.stderr
    assert not isinstance(result.exception, AssertionError | TypeError | KeyError), result.exception
    machine = {"csv", "json", "ics", "xlsx", "pdf", "html"} & set(args) or "-o" in args
    return result.stderr + ("" if machine else result.stdout)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_refusal_warning_and_note_is_chinese_under_lang_zh(
    case: str, case_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = _QUOTED.sub("'…'", _said_in_chinese(case, case_folder, monkeypatch))
    assert said, "the case says nothing: it tests nothing"
    # A Markdown quote (> ...) is the registry's words too.
    lines = [line for line in said.splitlines() if not line.lstrip().startswith(">")]
    leaks = {line: words for line in lines if (words := english_words(line))}
    assert not leaks, leaks


# What a refusal, a problem or a row's error is made of, by the callee: the positions and
# keywords that carry words (a file name or a path may be a literal; a sentence may not).
_WORDS_AT = {
    **dict.fromkeys(
        ("Mil62schedError", "UsageError", "ProtocolError", "OutputError", "BrowserError"),
        ((0,), ("what", "accepted", "where")),
    ),
    "RecordError": ((0,), ("reason",)),
    "CellError": ((0,), ("reason", "where")),
    "_Refused": ((0,), ()),
    "_At": ((1,), ()),
    "Found": ((1,), ()),
    "Problem": ((1,), ()),
    "RowError": ((2,), ()),
    "NestingError": ((0,), ()),
    "_Damaged": ((0,), ()),
    "warning": ((0,), ()),
    "note": ((0,), ()),
    "error": ((0,), ()),
}


def _sentence(node: ast.expr) -> bool:
    """Whether `node` builds text of words in place: an f-string, a literal with a space in
    it, or text joined with + or %."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value.strip()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _sentence(node.left) or _sentence(node.right)
    return False


def test_no_sentence_is_made_outside_a_message() -> None:
    """Issue 16 #8: every refusal, problem, warning and note is a message made where it arises
    (`msg(N_(...), ...)`), never English put together in place, which only a pattern could say
    again in another language; and every msgid is a literal the catalogue can hold."""
    package = PACKAGE
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            where = f"{path.relative_to(package)}:{node.lineno}"
            if name in ("msg", "N_") and node.args:
                first = node.args[0]
                if isinstance(first, ast.JoinedStr):
                    found.append(f"{where}: {name}() of an f-string")
            if name not in _WORDS_AT:
                continue
            positions, keywords = _WORDS_AT[name]
            parts = [node.args[i] for i in positions if i < len(node.args)]
            parts += [k.value for k in node.keywords if k.arg in keywords]
            found += [f"{where}: {name}() of {ast.unparse(part)[:60]}" for part in parts
                      if _sentence(part)]  # fmt: skip
    assert not found, "\n".join(found)


# The human words inside the machine formats: a calendar's event summaries and descriptions,
# and the text of the printed card and the infusion room's list.
TEXT_IN_FILES = {
    "ics": "plan --arm phase3 --start 2025-08-18 --participant CT303-0001 --window 3 --adjust "
    "--actual RCP:W1D1=2025-08-18 --actual RCP:W3D1=2025-09-03 --missed RCP:W25D1 "
    "--olp-start 2026-08-20 --today 2026-03-01 --format ics",
    "ics provisional": "plan --arm phase1b-500 --start 2025-09-17 --window 3 --format ics",
    "ics roster": "roster examples/roster.csv --actuals examples/actuals.csv --today 2025-10-10 "
    "--format ics",
    "card": "plan --arm phase3 --start 2025-08-18 --participant CT303-0001 --window 3 "
    "--actual RCP:W1D1=2025-08-18 --actual RCP:W3D1=2025-09-03 --today 2025-10-01 --format html",
    "card closed": "plan --arm phase3-rcp --start 2025-09-17 --format html",
    # (a site file's lines are the site's own words, as written: not here)
    "cards": "roster examples/roster.csv --actuals examples/actuals.csv --today 2025-10-01 "
    "--format html",
    "agenda page": "agenda examples/roster.csv --actuals examples/actuals.csv --from 2025-09-29 "
    "--today 2025-09-29 --chairs 1 --format html",
    "amend page": f"amend builtin {AMENDMENT} examples/roster-amendment.csv --effective "
    "2025-10-01 --today 2026-04-01 --format html",
}


def _human_text(output: str) -> list[str]:
    """The lines a person reads in a calendar (its summaries, descriptions and name) or a page
    (its text, outside the styles)."""
    if output.startswith("BEGIN:VCALENDAR"):
        unfolded = output.replace("\r\n ", "")
        found = []
        for line in unfolded.splitlines():
            name, _, value = line.partition(":")
            if name.split(";")[0] in ("SUMMARY", "DESCRIPTION", "NAME", "X-WR-CALNAME"):
                value = value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
                found += value.splitlines()
        return found
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []
            self.skip = False

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip = tag == "style"

        def handle_endtag(self, tag: str) -> None:
            self.skip = False

        def handle_data(self, data: str) -> None:
            if not self.skip and data.strip():
                self.found.append(data.strip())

    parser = Text()
    parser.feed(output)
    return parser.found


@pytest.mark.parametrize("case", sorted(TEXT_IN_FILES))
def test_the_words_in_a_chinese_calendar_or_page_are_chinese(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    from typer.testing import CliRunner

    from mil62sched.cli import app

    monkeypatch.chdir(ROOT)
    args = [*shlex.split(TEXT_IN_FILES[case]), "--lang", "zh"]
    result = CliRunner().invoke(app, args, prog_name="mil62sched")
    assert result.exit_code == 0, result.stderr
    lines = _human_text(_QUOTED.sub("'…'", result.stdout))
    assert len(lines) > 5, lines
    leaks = {line: words for line in lines if (words := english_words(line))}
    assert not leaks, leaks


def test_the_amendment_and_untracked_notes_are_messages() -> None:
    """A plan's amendment note and the agenda's untracked note (issue 16 #11) are messages made
    where they arise, with their values (the reason a participant switches, the names as a
    list), said once at the edge: not English rendered early and handed on as text."""
    from datetime import date

    from mil62sched import protocol
    from mil62sched.amendment import AmendedPlanner
    from mil62sched.formats.wording import amendment_note, untracked_note

    planner = AmendedPlanner(
        protocol.load(), protocol.load(Path(AMENDMENT)), None, date(2025, 10, 1)
    )
    _, plan = planner.plans("phase3", date(2025, 6, 2))
    note = amendment_note(plan)
    assert isinstance(note, Message), note
    assert render(note, "zh") == (
        "自 2025-10-01 起执行方案版本 example-1（研究中心的生效日期）；此前的访视及已记录的访视"
        "遵循被修订的方案（未注明版本）。"
    )
    untracked = untracked_note(["CT303-0005", "CT303-0006"])
    assert isinstance(untracked, Message), untracked
    assert render(untracked, "zh").endswith("CT303-0005、CT303-0006。")
    assert str(untracked).endswith("CT303-0005, CT303-0006.")
