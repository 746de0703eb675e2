"""Start-up floor: a one-command typer app with one option, printing json.dumps of a small dict.

python floors/startup_json.py [--start DAY] [--help]
"""

import json

import typer

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    print(json.dumps({"arm": "phase3-olp", "start": start, "visits": ["W1D1", "W3D1"]}))


app()
