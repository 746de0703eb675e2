"""Start-up floor of a first run (nothing cached): the json floor's app, which also loads the
`holidays` package and asks it about China's days over the years a plan from --start covers
(two years before to six after, as the tool asks on a miss), in English and in Chinese, and
which weekend days are worked.

    python floors/startup_holidays.py [--start DAY]
"""

import json
from datetime import date

import holidays
import typer

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    first = date.fromisoformat(start)
    years = range(first.year - 2, first.year + 7)
    days = holidays.country_holidays("CN", years=years, language="en_US")
    names = holidays.country_holidays("CN", years=years, language="zh_CN")
    moved = sorted(day.isoformat() for day in days.weekend_workdays)
    print(
        json.dumps({"start": start, "holidays": len(days), "names": len(names), "moved": moved[:2]})
    )


app()
