"""The errors a command can end in, each with the HTTP status it maps to."""


class CommandRejected(Exception):
    """A command that breaks a rule; the message says which, for the caller."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommandRejected):
    status_code = 404


class Conflict(CommandRejected):
    status_code = 409
