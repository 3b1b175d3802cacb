"""CLI sub-commands. Each module exports a `typer.Typer` (or a command function) and holds no logic
that the services need: it parses arguments, calls the library, and prints."""
