"""Site files: the text an administrator edits, its schema, and its settings."""
