"""Errors the CLI reports as one line with a non-zero exit code."""


class KGError(Exception):
    """Base class: a problem to report to the user, not a bug."""

    exit_code = 1


class InputError(KGError):
    """The input could not be read or decoded (exit code 2)."""

    exit_code = 2


class QueryError(KGError):
    """A query could not be found, parsed or run."""
