"""The errors a command can end in. The HTTP adapter maps them to status codes."""


class CommandRejected(Exception):
    """A command that breaks a rule; the message says which, for the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommandRejected):
    """The command names something that does not exist."""


class Conflict(CommandRejected):
    """The command does not fit the current state (already enrolled, already withdrawn)."""
