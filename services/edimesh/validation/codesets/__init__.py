"""External code sets (SNIP 5): loaded once, looked up by name from the guides' ``@NAME``."""
