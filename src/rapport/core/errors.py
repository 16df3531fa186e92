"""Domain errors: raised by services, turned into a clear message by the API, the CLI and the pages."""

from __future__ import annotations


class RapportError(Exception):
    """Base for errors a user can act on. ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDeniedError(RapportError):
    """The user may see the object but not change it (read-only roles)."""


class NotFoundError(RapportError):
    """The object does not exist or the user may not see it: the two are never told apart."""
