"""The errors a command can end in. The HTTP adapter maps them to status codes."""

from typing import TypeVar

T = TypeVar("T")


class CommandRejected(Exception):
    """A command that breaks a rule; the message says which, for the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommandRejected):
    """The command names something that does not exist."""


class Conflict(CommandRejected):
    """The command does not fit the current state (already enrolled, already withdrawn)."""


def found(value: T | None, missing: str) -> T:
    """The value looked up, or NotFound saying what is missing."""
    if value is None:
        raise NotFound(missing)
    return value
