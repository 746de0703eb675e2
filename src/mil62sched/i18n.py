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
from mil62sched.messages import LITERAL, Localized, Message, Weekday
from mil62sched.messages import N_ as N_
from mil62sched.messages import render as render_message

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
            Message(N_("unknown --lang")),
            value=option,
            accepted=Message(N_("accepted: {names}"), {"names": list(LANGUAGES)}),
        )
    return lang


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`, read once; English needs none."""
    import gettext

    if lang not in CATALOGUES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGUES[lang]])


def render(message: Message | str, lang: str) -> str:
    """What people read, in `lang`: the one renderer of messages (a str is a literal, said as
    it is).

    >>> from mil62sched.messages import msg
    >>> render(msg("{option} applies to .ics calendars only; ignored for {format}",
    ...            option="--time", format="csv"), "zh")
    '--time 只用于 .ics 日历；csv 格式忽略此选项'
    """
    if isinstance(message, str):
        return message
    if lang not in CATALOGUES:
        return render_message(message)
    return render_message(message, lang, catalogue(lang).gettext)


# Month names by month number, in the catalogue (the weekdays are the renderer's own,
# `messages.WEEKDAYS`); strftime follows the machine's locale, these do not.
MONTHS = (
    *(N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June")),
    *(N_("July"), N_("August"), N_("September"), N_("October"), N_("November")),
    N_("December"),
)
MONTHS_SHORT = (
    *(N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul")),
    *(N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")),
)


class Words:
    """The words of one language: `words("Visit")`, templates with named values, messages,
    the protocol's own words, weekdays, months and visit codes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.chinese = lang == "zh"

    def __call__(self, msgid: str, /, **values: object) -> str:
        """`msgid` translated, its `{name}` placeholders filled with `values` (each said in this
        language as `messages` says)."""
        return render(Message(msgid, values), self.lang)

    def message(self, message: Message | str) -> str:
        """A message in this language; a str is a literal, said as it is."""
        return render(message, self.lang)

    def term(self, text: str) -> str:
        """A word of the protocol file (an arm's title, a treatment's label, a period's name):
        the catalogue's translation when it has one, else as written."""
        return catalogue(self.lang).gettext(text) if self.chinese and text else text

    def weekday(self, day: date, short: bool = False) -> str:
        """'Monday' ('Mon'), or 周一."""
        return render(Message(LITERAL, {"text": Weekday(day, short)}), self.lang)

    def month(self, year: int, month: int, short: bool = False) -> str:
        """'September 2025' ('Sep 2025'), or 2025年9月."""
        name = (MONTHS_SHORT if short else MONTHS)[month - 1]
        return self(N_("{month} {year}"), month=Localized(name), year=str(year))

    def code(self, code: object) -> str:
        """A visit code for prose: 'W1D1', or in Chinese with its reading, 'W1D1 第1周第1天'."""
        text = str(code)
        if not self.chinese:
            return text
        said = self.reading(text)
        return text if said == text else f"{text} {said}"

    def reading(self, code: str) -> str:
        """How a visit code is said (in Chinese: WnDm is week n, day m, 第n周第m天; Dn is day n);
        the code itself where it reads as it is (English, a day before D1, or not a code)."""
        text = code.strip().upper()
        week = re.fullmatch(r"W([0-9]+)D([0-9]+)", text)
        if week is not None:
            said = self(N_("week {week}, day {day}"), week=week[1], day=week[2])
        elif (day := re.fullmatch(r"D([0-9]+)", text)) is not None:  # D-28: its study day says it
            said = self(N_("day {day}"), day=day[1])
        else:
            return code
        return said if self.chinese else code


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
    """An error's text in `lang`, one line per problem."""
    return render(error.message(), lang)


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
