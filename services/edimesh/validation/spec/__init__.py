"""Implementation guides as data: the X12 segment dictionary, the guide format, routing."""
