"""What each command does between the options people type and the output: building the
engine's inputs from options, planning, choosing a format and writing. `cli.py` only declares
the commands and their options."""
