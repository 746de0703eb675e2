"""mil62sched: dosing-visit calendars for the MIL62-CT303 trial (NCT05314010)."""

__version__ = "0.2.0"
