"""Errors a user can cause and fix. They are answered ephemerally, never as a traceback."""
from __future__ import annotations


class UserError(Exception):
    """Something the person typing can correct: bad value, unknown film, missing permission."""

    def __init__(self, message: str, *, title: str = "That didn't work", suggestions: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.title = title
        self.suggestions = suggestions or []


class NotAllowed(UserError):
    def __init__(self, message: str, *, title: str = "Not allowed"):
        super().__init__(message, title=title)


class ConfigError(Exception):
    """A setting is missing or malformed: reported as one paragraph, exit code 2."""


class StartupError(Exception):
    """The bot cannot start (token rejected, database unusable): one paragraph, exit code 1."""


class NeedsChoice(Exception):
    """The user's text matched several things; answer with a prompt (a result object) instead."""

    def __init__(self, result: object):
        super().__init__("needs a choice")
        self.result = result
