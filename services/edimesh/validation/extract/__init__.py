"""Loop tree to content models: one module per transaction family."""
