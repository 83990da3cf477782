"""Named exceptions. Library code raises these; only the CLI prints them and exits.

Every message is one line a user can act on: it names the thing (feed URL, config key,
file) and what went wrong, never a traceback.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class: ``str(error)`` is a single line meant for the user."""


class ConfigError(MonitorError):
    """The configuration file is missing, unparseable or invalid (CLI exit code 2)."""


class FetchError(MonitorError):
    """A URL could not be fetched within the limits, or was refused as unsafe.

    ``kind`` is a short machine-readable reason: ``dns``, ``connect``, ``timeout``,
    ``http`` (non-2xx status), ``too_large``, ``unsafe`` (private address or scheme),
    ``redirects``, ``protocol``.
    """

    def __init__(self, message: str, *, kind: str, status: int | None = None,
                 retry_after: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


class FeedError(MonitorError):
    """Fetched bytes are not a usable feed (malformed, not a feed, unsafe declarations)."""


class NotFoundError(MonitorError):
    """The one record asked for does not exist (CLI exit code 1)."""


class UsageError(MonitorError):
    """A command was called with arguments that cannot work (CLI exit code 2)."""
