"""Words made where they arise: a `Message` is an English template, which is its gettext msgid,
with the values that fill it. It is rendered once, at the edge, in the reader's language
(`i18n.render`, through the catalogue); `str(message)` renders it in English. Nothing below the
edge writes a finished sentence, and nothing above it takes one apart again.

A value is shown as:

- `str` (and anything not listed below: a visit code, a path): as it is, never translated (a
  file name, a code or a value as typed, an option name);
- `int`, `float`: as a number, so that a template may format it (`{count:,}`);
- `date`: ISO 8601, YYYY-MM-DD;
- `Message`: rendered in the same language;
- `Keyword`: a word of the data as typed, bare in English and quoted in another language;
- `Localized`: its own word in the language (a holiday's name as the holidays package gives it
  in Chinese), else the catalogue's translation of its English (`term`: a word of ours), else
  its English;
- `list`: its items joined by the language's separator (", ", "、"); `Listing`: the same with
  "and" or "or" before the last;
- `Weekday`: a date's weekday, in the language;
- `Lines`: its items, one a line.

>>> str(msg("{count} bad row(s) in {file}", count=2, file="r.csv"))
'2 bad row(s) in r.csv'
>>> str(msg("use {forms}", forms=Listing(["a", "b", "c"], "or")))
'use a, b or c'
>>> str(msg("{day} is a {weekday}", day=date(2025, 10, 1), weekday=Weekday(date(2025, 10, 1))))
'2025-10-01 is a Wednesday'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Literal, NamedTuple

# The catalogue's lookup: msgid -> its translation (the msgid itself when it has none).
Translate = Callable[[str], str]

_NO_VALUES: Mapping[str, object] = MappingProxyType({})


def N_(msgid: str) -> str:  # noqa: N802 - the name gettext tools know
    """Mark `msgid` for translation where it is defined; it is translated where it is shown."""
    return msgid


def C_(context: str, msgid: str) -> str:  # noqa: N802 - as N_
    """`msgid` in a `context` (gettext's msgctxt): the same English said otherwise in another
    language ('planned' as a visit's status, and 'planned' before the date a visit moved from)."""
    return f"{context}\x04{msgid}"


class Message(NamedTuple):
    """An English template (the gettext msgid, `{name}` placeholders) and its values."""

    id: str
    values: Mapping[str, object] = _NO_VALUES

    def __str__(self) -> str:
        return render(self)

    def __hash__(self) -> int:  # its values may be lists: equal messages have equal names
        return hash((self.id, tuple(self.values)))

    def filled(self, **values: object) -> Message:
        """The same message with more values (a record error's `{record}`, known later)."""
        return Message(self.id, {**self.values, **values})


def msg(msgid: str, /, **values: object) -> Message:
    """The message `msgid` with its values.

    >>> msg("invalid {what} {value!r}", what="--time", value="25:00")
    Message(id='invalid {what} {value!r}', values={'what': '--time', 'value': '25:00'})
    """
    return Message(msgid, values)


# A text that is said as it is (a file's own words, a library's): a message of no words of ours.
LITERAL = "{text}"
LINES = "{lines}"


def literal(text: str) -> Message:
    """`text` as a message that says it as it is, in every language."""
    return Message(LITERAL, {"text": text})


def lines(items: Sequence[Text]) -> Message:
    """Messages (or literals) said one a line."""
    return Message(LINES, {"lines": Lines(items)})


Text = Message | str  # what a lower layer hands up: a message, or a literal said as it is


def as_message(text: Text) -> Message:
    """A message, or a literal as one."""
    return text if isinstance(text, Message) else literal(text)


class Localized(str):
    """A word in English with its own words in other languages: `Localized("National Day",
    {"zh": "国庆节"})`. It is its English wherever a plain string is expected (a CSV cell, a JSON
    value, a comparison), and said in the reader's language by `render`; a language it has no
    word of its own in gets the catalogue's translation of the English (`term`), else the
    English. A translation may be a `Message`."""

    translations: Mapping[str, str | Message]

    def __new__(
        cls, english: str, translations: Mapping[str, str | Message] | None = None
    ) -> Localized:
        word = super().__new__(cls, english)
        word.translations = translations or _NO_VALUES  # type: ignore[assignment]
        return word

    def said(self, lang: str, translate: Translate) -> str:
        """The word in `lang`."""
        if lang == "en":
            return str(self)
        own = self.translations.get(lang)
        if own is None:
            return translate(str(self))
        return own if isinstance(own, str) else _render(own, lang, translate)


class Keyword(str):
    """A word of the data as it is typed (a column, a status, a file's key): bare in English,
    where the sentence around it says what it is, and quoted in another language, where it must
    stand out from the words around it ('start' 列的日期)."""

    __slots__ = ()


def keywords(words: Iterable[str]) -> list[Keyword]:
    """Words of the data, each a `Keyword`."""
    return [Keyword(word) for word in words]


def term(msgid: str) -> Localized:
    """A word of ours used as a value (a weekday, a period's name): translated by the
    catalogue."""
    return Localized(msgid)


class Listing(NamedTuple):
    """Items said as a list with a conjunction before the last: 'a, b or c', 'a、b 或 c'."""

    items: Sequence[object]
    last: Literal["and", "or"] = "and"


class Weekday(NamedTuple):
    """The weekday of `day`: 'Monday' ('Mon' when `short`), 周一."""

    day: date
    short: bool = False


class Lines(NamedTuple):
    """Items said one a line (an error of several lines: a file's bad rows)."""

    items: Sequence[object]


# The words the renderer itself says, in the catalogue: the list separator and conjunctions,
# and the weekdays (by date.weekday()), long and short.
SEPARATOR = N_(", ")
CONJUNCTIONS = {"and": N_("{items} and {last}"), "or": N_("{items} or {last}")}
WEEKDAYS = (
    *(N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday")),
    *(N_("Saturday"), N_("Sunday")),
)
WEEKDAYS_SHORT = (*(N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun")),)


def _same(msgid: str) -> str:
    return msgid


def render(message: Message, lang: str = "en", translate: Translate | None = None) -> str:
    """`message` in `lang`: its template through `translate` (the catalogue of `lang`; none
    for English), filled with its values, each said in `lang` as the module says."""
    return _render(message, lang, _same if translate is None or lang == "en" else translate)


def _render(message: Message, lang: str, translate: Translate) -> str:
    template = translate(message.id)
    if "\x04" in template:  # a msgid in a context, said as it is (English, or not translated)
        template = template.partition("\x04")[2]
    return template.format_map({k: _shown(v, lang, translate) for k, v in message.values.items()})


def _shown(value: object, lang: str, translate: Translate) -> object:
    """A value as the template takes it: numbers as numbers, everything else as text."""
    if isinstance(value, Message):
        return _render(value, lang, translate)
    if isinstance(value, Keyword):
        return str(value) if lang == "en" else repr(str(value))
    if isinstance(value, Localized):
        return value.said(lang, translate)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Weekday):
        names = WEEKDAYS_SHORT if value.short else WEEKDAYS
        return translate(names[value.day.weekday()])
    if isinstance(value, Listing):
        items = [str(_shown(item, lang, translate)) for item in value.items]
        if len(items) < 2:
            return "".join(items)
        return translate(CONJUNCTIONS[value.last]).format(
            items=translate(SEPARATOR).join(items[:-1]), last=items[-1]
        )
    if isinstance(value, Lines):
        return "\n".join(str(_shown(item, lang, translate)) for item in value.items)
    if isinstance(value, list):
        return translate(SEPARATOR).join(str(_shown(item, lang, translate)) for item in value)
    return str(value)
