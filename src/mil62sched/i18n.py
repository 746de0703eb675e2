"""The language of what people read: English (the source text) or Chinese (zh_CN).

Standard gettext: the catalogue `locale/zh_CN/LC_MESSAGES/mil62sched.po` is the source, the
compiled `.mo` beside it is shipped in the package and read with the standard library's
`gettext`, only when Chinese is asked for. Machine contracts (CSV headers, JSON keys, visit
codes, ISO dates, enum values) never go through here.

The language is `--lang`, else `MIL62SCHED_LANG`, else the locale (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`: the first one set), else English; an unknown language in the environment
means English, an unknown `--lang` is refused.

>>> default_language({"LANG": "zh_CN.UTF-8"}), default_language({"LC_ALL": "fr_FR.UTF-8"})
('zh', 'en')
>>> words("zh")("Visit"), words("en")("Visit")
('访视', 'Visit')
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mil62sched.errors import UsageError

if TYPE_CHECKING:
    import gettext

    from mil62sched.errors import Mil62schedError

LANGUAGES = ("en", "zh")
ENVIRONMENT = "MIL62SCHED_LANG"
DOMAIN = "mil62sched"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUES = {"zh": "zh_CN"}  # our language -> the gettext locale of its catalogue
# The locale variables, in the order gettext reads them.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(msgid: str) -> str:  # noqa: N802 - the name gettext tools know
    """Mark `msgid` for translation where it is defined; it is translated where it is shown."""
    return msgid


def language_of(tag: str) -> str | None:
    """Our language for a locale or language tag (`zh_CN.UTF-8`, `zh-Hans`, `en_US`, `C`);
    None when it is neither.

    >>> language_of("zh_CN.UTF-8"), language_of("zh"), language_of("C"), language_of("fr_FR")
    ('zh', 'zh', 'en', None)
    """
    base = re.split(r"[_.@-]", tag.strip().lower(), maxsplit=1)[0]
    if base == "zh":
        return "zh"
    if base in ("en", "c", "posix"):
        return "en"
    return None


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """The language without `--lang`: MIL62SCHED_LANG, else the first locale variable set
    (LANGUAGE may list several, `zh_CN:en`: its first known one), else English."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENVIRONMENT)
    if chosen:
        return language_of(chosen) or "en"
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if not value:
            continue
        found = [language_of(item) for item in value.split(":")]
        return next((lang for lang in found if lang), "en")
    return "en"


def chosen_language(option: str) -> str:
    """The language `--lang` names, refused unless en or zh (in any case, spaces around).

    >>> chosen_language(" ZH ")
    'zh'
    """
    lang = option.strip().lower()
    if lang not in LANGUAGES:
        raise UsageError(
            "unknown --lang", value=option, accepted=f"accepted: {', '.join(LANGUAGES)}"
        )
    return lang


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`, read once; English needs none."""
    import gettext

    if lang not in CATALOGUES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGUES[lang]])


# English weekday and month names by date.weekday() and month number; strftime follows the
# machine's locale, these do not.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
)

# Sentences the engine and the lower layers write in English, as templates: shown in Chinese,
# such a sentence is matched against these and said again with its values in the translation.
SENTENCES = (
    # engine notes
    N_("not a working day ({reason}) and no window is set to move it in"),
    N_("not a working day ({reason}) and no working day in the window {window}"),
    N_(
        "not a working day ({reason}); W1D1 starts the period's timeline, so it is never "
        "moved: choose another start date if the site is closed"
    ),
    N_(
        "not a working day ({reason}); the nearest working day in the window, {date}, would "
        "not keep the visits in order, so it is not moved"
    ),
    N_("not given: the participant entered the next period on {date}"),
    N_("not given: removed by protocol version {version} from {date}"),  # amendment.py
    N_("±{days} d"),
    N_("-{before}/+{after} d"),
    # errors: where, and the common ones
    N_("unknown arm {value}: {accepted}"),
    N_("unknown format {value}: {accepted}"),
    N_("unknown arm"),
    N_("did you mean {name}? accepted: {names}"),
    N_("accepted: {names}"),
    N_("unknown format"),
    N_("unknown --lang"),
    N_("invalid visit code"),
    N_("WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, W3D1, W25D1"),
    N_("Dn with study day n other than 0 (there is no day 0), e.g. D1, D15, D-28"),
    N_(
        "WnDm with week n >= 1 and day m from 1 to 7 (e.g. W1D1, W25D1), or Dn with study day n "
        "other than 0 (e.g. D15, D-28)"
    ),
    N_("date (or visit code, or study day number)"),
    N_("1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"),
    *(N_("--start date"), N_("--from date"), N_("--today date"), N_("--olp-start date")),
    N_("date"),
    N_("not working"),
    *(N_("overdue"), N_("due today"), N_("non-working day"), N_("over capacity")),
    N_("window still open"),
    N_(
        "invalid {what} {value} (day/month order is ambiguous): use ISO 8601 YYYY-MM-DD, "
        "e.g. 2024-01-31"
    ),
    N_("invalid {what} {value}: use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31"),
    N_("invalid {what} {value}: no such day; use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31"),
    # a date in a file (parse.parse_file_date), with the forms it may take
    N_(
        "invalid {what} {value}: day-first or month-first: use year first: 2025-08-18, "
        "2025/8/18, 2025.8.18 or 2025年8月18日"
    ),
    N_(
        "invalid {what} {value}: no such day; use year first: 2025-08-18, 2025/8/18, 2025.8.18 "
        "or 2025年8月18日"
    ),
    N_(
        "invalid {what} {value}: a date with a time ({time}) is not a date: give the day alone, "
        "year first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日"
    ),
    N_("invalid {what} {value}: use year first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日"),
    N_("output {path} exists: use --force to overwrite it"),
    N_("output {path} is a folder"),
    N_("give a file name"),
    N_("is an empty path"),
    N_("give a folder (. for the current one)"),
    N_("give a file name, or - for standard output"),
    N_("format {name} is not available for a roster"),
    N_("format {name} is not available for the agenda"),
    N_("duplicate participant {participant} (first on line {line})"),
    N_("invalid participant ID {value}: use {form}"),
    N_(
        "invalid participant ID {value}: no ID may begin with UNBLINDED-, which names the "
        "unblinded pharmacist's files"
    ),
    N_(
        "participants {participant} and {other} would both be written to {path}: file names "
        "that differ only in letter case or Unicode form may be one file (Windows, macOS)"
    ),
    N_(
        "{count} bad row(s); nothing written (fix them, or use --skip-bad to write the {valid} "
        "valid participant(s))"
    ),
    N_("{count} bad row(s) skipped; {valid} participant(s) written"),
    N_("{count} bad row(s); nothing written (fix them: no row is valid)"),
    N_("{day}: {count} infusions for {chairs} chair(s); {reason}"),
    N_("{day}: {count} infusions for {chairs} chair(s)"),
    N_("could not move {visits}"),
    N_("could not move any: they are done"),
    N_("moved from {date} to {moved}: more than {chairs} infusions"),
    N_("Phase 1b"),
    N_(
        "the roster mixes blinded and unblinded arms (unblinded: {arms}); unblinded outputs are "
        "for the unblinded pharmacist only"
    ),
    N_("invalid visit code {value}: use {form}"),
    N_("use CODE or PERIOD:CODE, e.g. OLP:W3D1"),
    N_("use CODE=YYYY-MM-DD, e.g. W3D1=2024-01-17"),
    N_("use HH:MM on the 24-hour clock, e.g. 09:00"),
    N_(
        "use N (days either side, e.g. 3) or B,A (days before and after, e.g. 1,3), whole "
        "numbers from 0 to {most}"
    ),
    N_("use a number of days, hours and minutes such as 1d, 2h, 90m or 1h30m"),
    N_("must be longer than zero"),
    N_("window"),
    N_("unknown time zone"),
    N_("use an IANA name such as Asia/Shanghai or America/New_York"),
    N_("cannot tell the format of {path} from its extension"),
    N_("use one of {extensions} or give --format ({names})"),
    N_("--tz and --duration apply to timed events: give --time HH:MM too"),
    N_("give -o FILE or --split DIR, not both"),
    N_(
        "another run is writing into {path}: try again when it is done, or remove {name} if "
        "no run is"
    ),
    N_("{file}: {count} bad rows; nothing written (fix them all)"),
    # workbooks: which sheet, and what a workbook may hold (sheets, formats.xlsx)
    N_("is not a sheet of this workbook"),
    N_("use one of {names}"),
    N_("the workbook has no visible sheet"),
    N_("name a hidden one with --sheet: {names}"),
    N_("matches several sheets when case is ignored"),
    N_("type one of {names} exactly"),
    N_("unpacks to more than {size} MiB, so not a roster, actuals or holiday file"),
    N_(
        "holds more than {count} shared strings, more than the cells of its sheets could use, "
        "so not a roster, actuals or holiday file"
    ),
    N_("column {name} holds {count} characters, and a workbook cell holds at most {most}"),
    N_("use --format csv or json, which keep text of any length"),
    N_("save it again from Excel or WPS as Excel Workbook (.xlsx), or as CSV UTF-8"),
    # recorded visits (--actual, --missed, an actuals file's rows)
    N_("{record} is in the future (today is {date})"),
    N_("{record}: not an infusion visit of {arm} ({known})"),
    N_("{record}: {arm} has {code} in several periods; use {both}"),
    N_("{record}: the visit is recorded twice (done and missed?)"),
    N_("{record} is not after the {period} W1D1 ({date})"),
    N_("{record} is not before the next period's W1D1 ({date})"),
    N_("{record} is not after {visit}'s actual date {date}: visits happen in visit order"),
    N_(
        "{record} is not after {visit}, still planned for {date}: visits happen in visit order "
        "(record {again} first, done or missed)"
    ),
    N_("missing column {name}: the header needs {names}"),
    # a later period's start (--period-start, --olp-start, a roster's <period>_start)
    N_("was given, but {arm} has no later period {period}"),
    N_("{field} was given, but {arm} has no later period {period}: {reason}"),
    N_("its periods are {periods}; a start may be given for {later}"),
    N_("its one period is {period}; a later period belongs to a journey ({arms})"),
    N_("its one period is {period}; {protocol} has no journey through several periods"),
    N_("invalid --period-start"),
    N_("use PERIOD=YYYY-MM-DD"),
    N_("--period-start date"),
    N_("the {period} start is given twice ({first} and {second}): give it once"),
    N_("the {period} start is given twice: give it once"),
    N_("column {name} names no later period of {protocol}: accepted: {names}"),
    N_("participant {participant} is not on the roster {file}"),
    N_("use holiday or workday"),
    N_("kind"),
    # click's usage errors, as cli._explain words them
    N_("missing option {option}: one of {names}"),
    N_("missing option {option}: {help}"),
    N_("no such option: {option} (see {where})"),
    N_("invalid value for {option}: {problem} (see {where})"),
    N_("no such command {name}. Did you mean {suggestion}?: commands are {names}"),
    N_("no such command {name}: commands are {names}"),
    N_("W1D1, the first infusion, as YYYY-MM-DD."),
    N_("invalid {what} {value}: {problem}"),
    N_("use {form}"),
    N_("participant ID"),
    # screen: the time-bound criteria's refusals
    N_("unknown drug, vaccine or procedure"),
    *(N_("Inclusion {number}"), N_("Exclusion {number}"), N_("{count} half-lives")),
    N_(
        "did you mean {names}? the classes are {classes}; give --class {name}=CLASS for one the "
        "protocol does not list"
    ),
    N_("the classes are {classes}; give --class {name}=CLASS for one the protocol does not list"),
    N_("no half-life for {name}"),
    N_(
        "{criterion} ({phase}) waits more than {span} after the drug is stopped: give "
        "--half-life {name}=DURATION (e.g. 5h or 3d)"
    ),
    N_("no daily dose for {name}"),
    N_(
        "{criterion} limits the daily dose of {classes} within the period before the first "
        "administration: give --steroid-dose MG (mg a day, prednisone or its equivalent)"
    ),
    N_("unknown phase"),
    N_("missing option --screening"),
    N_("the screening date, YYYY-MM-DD"),
    N_("missing option --phase"),
    N_("the phase screened for, one of {names}"),
    N_("{name}: unknown class"),
    N_("classes: {classes}"),
    # last: the most general, a file's line and a participant's row before a problem
    N_("{file} line {line}: {problem}"),
    N_("{file} line {line}"),
    N_("{participant}: {problem}"),
)
# Placeholders holding values as typed or as computed (names, dates, files): never translated.
_LITERAL = frozenset(
    {
        *("value", "file", "line", "participant", "path", "date", "name", "names", "arms"),
        *("extensions", "record", "arm", "known", "code", "both", "visit", "again", "period"),
        *("option", "where", "suggestion", "time", "other"),
        *("periods", "later", "first", "second", "protocol", "field"),
        "classes",
    }
)


# A value as typed is quoted (repr) in a message: found by its quotes, not by what follows it.
_VALUES = {
    "value": "'[^']*'|\"[^\"]*\"",
    "line": "[0-9]+",
    "participant": "'?[A-Za-z0-9][A-Za-z0-9._-]{0,63}'?",  # an ID (parse.check_participant)
    "arm": "[a-z0-9][a-z0-9._-]*",
    "record": "(?:--[a-z]+ )?[A-Za-z0-9:=._-]+",  # --actual W3D1=2024-01-17, OLP:W3D1
    "code": "W[0-9]+D[0-9]+",
    "field": "[^:]+?",  # a roster column such as ole_start, never a file and line before it
}


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each sentence template with a pattern that finds its values in the English text."""
    found = []
    for template in SENTENCES:
        parts = re.split(r"\{(\w+)\}", template)
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>{_VALUES.get(part, '.+?')})"
            for index, part in enumerate(parts)
        )
        found.append((template, re.compile(pattern, re.DOTALL)))
    return tuple(found)


class Words:
    """The words of one language: `words("Visit")`, templates with named values, weekdays,
    months, visit codes, and English sentences from below said again (`sentence`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.chinese = lang == "zh"

    def __call__(self, msgid: str, /, **values: object) -> str:
        """`msgid` translated, its `{name}` placeholders filled with `values`."""
        text = catalogue(self.lang).gettext(msgid) if self.chinese else msgid
        return text.format(**values) if values else text

    def sentence(self, text: str, names: Mapping[str, str] | None = None) -> str:
        """An English sentence made below this layer, in this language: a catalogue entry, or
        one of SENTENCES with its values (themselves sentences, or `names`: holiday names)
        carried over; else as it is."""
        if not self.chinese or not text:
            return text
        if names and text in names:
            return names[text]
        direct = catalogue(self.lang).gettext(text)
        if direct != text:
            return direct
        for template, pattern in _patterns():
            match = pattern.fullmatch(text)
            if match is None:
                continue
            values = {
                key: value if key in _LITERAL else self.sentence(value, names)
                for key, value in match.groupdict().items()
            }
            return self(template, **values)
        return text

    def weekday(self, day: date, short: bool = False) -> str:
        """'Monday' ('Mon'), or 周一."""
        if self.chinese:
            return WEEKDAYS_ZH[day.weekday()]
        return (WEEKDAYS_SHORT if short else WEEKDAYS)[day.weekday()]

    def month(self, year: int, month: int, short: bool = False) -> str:
        """'September 2025' ('Sep 2025'), or 2025年9月."""
        if self.chinese:
            return f"{year}年{month}月"
        name = MONTHS[month - 1]
        return f"{name[:3] if short else name} {year}"

    def code(self, code: object) -> str:
        """A visit code for prose: 'W1D1', or 'W1D1 第1周第1天'."""
        text = str(code)
        if not self.chinese:
            return text
        match = re.fullmatch(r"W([0-9]+)D([0-9]+)", text)
        return text if match is None else f"{text} 第{match[1]}周第{match[2]}天"


def cells(text: str) -> int:
    """How many terminal columns `text` takes: two for a wide (CJK) character.

    >>> cells("W1D1"), cells("周一")
    (4, 4)
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


MASKINGS = (N_("open-label"), N_("blinded"), N_("unblinded"))


@functools.cache
def words(lang: str) -> Words:
    """The words of `lang` (en or zh)."""
    return Words(lang)


ENGLISH = words("en")


def error_line(error: Mil62schedError, lang: str) -> str:
    """An error's text in `lang`, one line per problem: its parts (where, what, accepted) or
    its lines said again from SENTENCES; what is not there stays English."""
    from mil62sched.errors import BadRowsError, RecordError, RecordErrors

    text = error.line()
    said = words(lang)
    if not said.chinese:
        return text
    # These word their own lines (a file's rows, records), as does an error of several lines
    # (a holiday file's bad rows): said again line by line.
    several = isinstance(error, BadRowsError | RecordErrors | RecordError) or "\n" in text
    if not several:
        what = said.sentence(error.what)
        subject = error.subject or error.field
        shown = "" if error.value is None else f" {error.value!r}"
        body = f"{subject}{shown} {what}" if subject is not None else f"{what}{shown}"
        if error.accepted:
            body = f"{body}：{said.sentence(error.accepted)}"
        if error.where is not None:
            body = f"{said.sentence(error.where)}：{body}"
        return body
    return "\n".join(said.sentence(line) for line in text.splitlines())


# A wide character (CJK) on its own, a run of other non-space characters, or spaces.
# Compiled on first use: compiling these wide ranges costs tens of milliseconds, and start-up
# must not pay them for English.
_ATOM = r"\s+|[\u2e80-\ufe4f\uff00-\uffef]|[^\s\u2e80-\ufe4f\uff00-\uffef]+"
# Closing punctuation stays on the line before it (a Chinese line never starts with it).
_CLOSING = frozenset("，。；：、）」』！？")
_OPENING = frozenset("（「『")


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Chinese `text` in lines of at most `width` terminal columns, broken at spaces or between
    wide characters, never inside a run of narrow ones (a code, a date, a dose); no line starts
    with closing punctuation or ends with an opening bracket.

    >>> wrap("W3D1（2025-10-01）不是工作日（国庆节）", 24)
    ['W3D1（2025-10-01）不是工', '作日（国庆节）']
    >>> wrap("一二三四，五", 8)
    ['一二三', '四，五']
    >>> wrap("一二三（--olp-start）", 8)
    ['一二三', '（--olp-start）']
    >>> wrap("一 2026-09-16；", 12)
    ['一', '2026-09-16；']
    """
    # Each line a list of (atom, whether a space came before it).
    lines: list[list[tuple[str, bool]]] = [[]]
    spaced = False
    for atom in re.findall(_ATOM, text):  # re caches the compiled pattern
        if atom.isspace():
            spaced = True
            continue
        line = lines[-1]
        if (
            not line
            or _cells([*line, (atom, spaced)], first if len(lines) == 1 else indent) <= width
        ):
            line.append((atom, spaced))
        else:
            carried = [(atom, spaced)]
            # What may not end a line, or be left without what follows, goes down with it.
            while line and (
                (carried[0][0] in _CLOSING and not carried[0][1]) or line[-1][0] in _OPENING
            ):
                carried.insert(0, line.pop())
            if line:
                lines.append(carried)
            else:  # all of it hangs together: one line, wider than `width` if it must be
                line.extend(carried)
        spaced = False
    shown = [(first if index == 0 else indent) + _joined(line) for index, line in enumerate(lines)]
    return shown if any(line.strip() for line in shown) else [""]


def _joined(line: list[tuple[str, bool]]) -> str:
    return "".join(
        (" " if spaced and index else "") + atom for index, (atom, spaced) in enumerate(line)
    )


def _cells(line: list[tuple[str, bool]], lead: str) -> int:
    return cells(lead + _joined(line))
