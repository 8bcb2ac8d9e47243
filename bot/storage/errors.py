"""What the storage layer reports when a database cannot be used (the command line turns it into one
paragraph and a non-zero exit code)."""
from __future__ import annotations


class DatabaseUnusable(Exception):
    """The database file cannot be opened, written or understood. The message says what to do."""
