"""The supported implementation guides, as data (see ``spec/format.py`` for the format)."""
