"""Start-up floor: the json floor's app, printing an icalendar Calendar with one Event.

python floors/startup_ics.py [--start DAY]
"""

from datetime import date

import icalendar
import typer

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//floor//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "W1D1@floor")
    event.add("summary", "W1D1 infusion")
    event.add("dtstamp", date.fromisoformat(start))
    event.add("dtstart", date.fromisoformat(start))
    calendar.add_component(event)
    print(calendar.to_ical().decode())


app()
