"""Start-up floor: the json floor's app, printing a rich Table of three columns and seven rows.

python floors/startup_table.py [--start DAY]
"""

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    table = Table(title=f"phase3-olp from {start}")
    for column in ("visit", "study day", "date"):
        table.add_column(column)
    for week in (1, 3, 25, 27, 49, 51, 53):
        table.add_row(f"W{week}D1", str(7 * week - 6), start)
    Console().print(table)


app()
