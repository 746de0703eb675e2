"""The site's contact card, as a participant's card and the infusion room's list show it: its
name, how to reach it, what it asks participants to bring and when to call (and, from a site
file, the country, time zone and chairs it plans with). Value types only; loaded from a site
file by `mil62sched.site.site_file`, or taken from the protocol's built-in site.

"Site" alone in this package means where visits are planned (`mil62sched.site`: working days,
chairs); this is how the site is reached."""

from __future__ import annotations

from typing import NamedTuple

from mil62sched.model.protocol import Protocol


class SiteContact(NamedTuple):
    """A trial site's contact details and participant instructions.

    Empty `what_to_bring` and `call_us_if` mean the card's own bilingual defaults. `name_zh` is
    the name in Chinese, shown beside `name` (the protocol's `site_zh`); a site file's `name` is
    shown as written.
    `country`, `timezone` and `chairs` (None: as the protocol says) override the protocol's.
    """

    name: str
    address: str = ""
    phone: str = ""
    coordinator: str = ""
    contact: tuple[str, ...] = ()
    what_to_bring: tuple[str, ...] = ()
    call_us_if: tuple[str, ...] = ()
    country: str | None = None
    timezone: str | None = None
    chairs: int | None = None
    name_zh: str = ""
    email: str = ""  # the site's address: a calendar's ORGANIZER (RFC 5546 PUBLISH needs one)

    @classmethod
    def of(cls, protocol: Protocol) -> SiteContact:
        """The protocol's built-in site: its name (in Chinese too when the protocol gives it),
        everything else the defaults."""
        return cls(name=protocol.site, name_zh=protocol.site_zh or "")

    def applied_to(self, protocol: Protocol) -> Protocol:
        """The protocol as planned at this site: its site name, and its country, time zone and
        chairs where this site sets them."""
        return protocol._replace(
            site=self.name,
            site_zh=self.name_zh or None,
            country=protocol.country if self.country is None else self.country,
            timezone=protocol.timezone if self.timezone is None else self.timezone,
            chairs=protocol.chairs if self.chairs is None else self.chairs,
        )
