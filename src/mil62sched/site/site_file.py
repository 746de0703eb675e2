"""The site file (`--site FILE`, TOML): the site's name, contact lines and participant
instructions for the visit card, and optionally its country, time zone and infusion chairs.

Every key is checked: an unknown key, a value of the wrong type or text with a control character
is refused with one line naming the file and the key. The text is kept as typed; the formats
escape it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mil62sched.errors import UsageError
from mil62sched.messages import N_, Message, Text, keywords, msg
from mil62sched.model.contact import SiteContact
from mil62sched.parse import CONTROL_CHARACTER, check_timezone, control_character

# A site file is a few lines of text; anything larger is not one.
MOST_BYTES = 1 << 20

_TEXT = ("name", "address", "phone", "coordinator")
_LINES = ("contact", "what_to_bring", "call_us_if")
KEYS = (*_TEXT, *_LINES, "email", "country", "timezone", "chairs")
# An e-mail address as a calendar's ORGANIZER carries it (mailto:): one @, a dotted domain, no
# space and none of the characters that need quoting in an address or an iCalendar value.
_EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]+@[^@\s\"(),:;<>\[\]\\]+\.[^@\s\"(),:;<>\[\]\\.]+")


def load_contact(path: Path) -> SiteContact:
    """The site's contact card (and planning facts) in the TOML file at `path`; `name` is
    required."""
    import tomllib

    from mil62sched.inputs import read_regular
    from mil62sched.parse import NestingError, read_toml, toml_problem

    where = msg(N_("site file {path!r}"), path=str(path))
    raw = read_regular(path, MOST_BYTES)
    if raw is None:
        raise UsageError(
            msg(N_("cannot read {where}"), where=where),
            accepted=msg(N_("give a readable TOML file under {size} bytes"), size=MOST_BYTES),
        )
    try:
        table = read_toml(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UsageError(
            msg(N_("{where} is not UTF-8 text"), where=where),
            accepted=msg(N_("save it as UTF-8")),
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            msg(N_("{where} is not valid TOML: {problem}"), where=where, problem=toml_problem(exc))
        ) from None
    except NestingError as exc:
        raise UsageError(msg(N_("{where}: {problem}"), where=where, problem=exc.said)) from None
    return contact_from_table(table, where)


SITE_FILE = msg(N_("site file"))


def contact_from_table(table: dict[str, Any], where: Text = SITE_FILE) -> SiteContact:
    """The site's contact card from a parsed TOML table, every key and type checked.

    >>> contact_from_table({"name": "Ward 5", "contact": ["Tel 010-1234"]}).contact
    ('Tel 010-1234',)
    >>> contact_from_table({"name": "Ward 5", "phone": 5})
    Traceback (most recent call last):
    ...
    mil62sched.errors.UsageError: site file: key 'phone' must be text (a quoted string), not 5
    """
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise UsageError(
            msg(N_("{where}: unknown key"), where=where),
            value=unknown[0],
            accepted=msg(N_("accepted: {names}"), names=keywords(KEYS)),
        )
    if "name" not in table:
        raise UsageError(
            msg(N_("{where}: key 'name' is missing"), where=where),
            accepted=msg(N_("give the site's name")),
        )
    values: dict[str, Any] = {}
    for key in _TEXT:
        if key in table:
            values[key] = _text(table[key], key, where)
    if not values["name"].strip():
        raise UsageError(
            msg(N_("{where}: key 'name' is empty"), where=where),
            accepted=msg(N_("give the site's name")),
        )
    for key in _LINES:
        if key in table:
            value = table[key]
            if not isinstance(value, list):
                raise _wrong(
                    key, value, msg(N_('a list of text lines, e.g. ["...", "..."]')), where
                )
            values[key] = tuple(_text(line, key, where) for line in value)
    if "email" in table:
        email = _text(table["email"], "email", where)
        if not (email.isascii() and _EMAIL.fullmatch(email)):
            raise UsageError(
                msg(N_("{where}: key 'email' is not an e-mail address"), where=where),
                value=email,
                accepted=msg(N_("an address such as ward5@example.org")),
            )
        values["email"] = email
    if "country" in table:
        country = _text(table["country"], "country", where)
        if not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise UsageError(
                msg(N_("{where}: key 'country' is not a country code"), where=where),
                value=country,
                accepted=msg(N_("an ISO 3166-1 alpha-2 code such as CN")),
            )
        values["country"] = country.upper()
    if "timezone" in table:
        zone = _text(table["timezone"], "timezone", where)
        try:
            values["timezone"] = check_timezone(zone)
        except UsageError as exc:
            raise UsageError(
                msg(N_("{where}: key 'timezone': {problem}"), where=where, problem=exc.message())
            ) from None
    if "chairs" in table:
        chairs = table["chairs"]
        if isinstance(chairs, bool) or not isinstance(chairs, int) or chairs < 1:
            raise _wrong("chairs", chairs, msg(N_("a whole number of chairs, 1 or more")), where)
        values["chairs"] = chairs
    return SiteContact(**values)


def _text(value: object, key: str, where: Text) -> str:
    if not isinstance(value, str):
        raise _wrong(key, value, msg(N_("text (a quoted string)")), where)
    control = control_character(value)  # each text is one line; ESC or BEL would reach a terminal
    if control is not None:
        raise UsageError(
            msg(
                N_("{where}: key {key!r} {problem}"),
                where=where,
                key=key,
                problem=msg(CONTROL_CHARACTER, code=f"U+{ord(control):04X}"),
            )
        )
    return value


def _wrong(key: str, value: object, expected: Message, where: Text) -> UsageError:
    shown = repr(value) if isinstance(value, str) else str(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return UsageError(
        msg(
            N_("{where}: key {key!r} must be {expected}, not {value}"),
            where=where,
            key=key,
            expected=expected,
            value=shown,
        )
    )
