"""The exception tree of readiness.

Every error a user can cause is typed and carries the process exit code the CLI
uses for it, plus a one-line message saying what to do::

    ReadinessError (exit 3: internal)
    ├── UserError (exit 2: usage or input)
    │   ├── TargetError          the path to assess is missing or not a directory
    │   ├── ConfigError          a configuration file or option is invalid
    │   ├── UnknownPracticeError an id given on the command line is not in the catalog
    │   ├── ProbeTargetError     the URL to probe is malformed or unreachable, or nothing
    │   │                        answered (a TLS mismatch); the reports are written first
    │   └── ReportInputError     the report to verify is missing, empty, binary or too large
    └── ServiceStartError (exit 2) the command given to --start failed or never became healthy

A failed quality gate (--fail-under / --fail-on) is not an exception: the reports are
written, the reasons printed, and the CLI exits with EXIT_GATE_FAILED (1). A breached
probe threshold (``p(95)<100ms``) exits with EXIT_THRESHOLD_BREACHED (4), so a pipeline
can tell "slow" from "not ready".

Problems with individual files inside an assessed tree are *not* exceptions:
they are recorded as ``skipped`` entries and the assessment goes on.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_THRESHOLD_BREACHED = 4


class ReadinessError(Exception):
    """Base class of every error readiness raises on purpose."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserError(ReadinessError):
    """Something the user can fix: a wrong path, a bad option, a broken config file."""

    exit_code = EXIT_USAGE


class TargetError(UserError):
    """The target to assess does not exist, is not a directory, or cannot be read."""


class ConfigError(UserError):
    """A configuration source holds an invalid value."""


class UnknownPracticeError(UserError):
    """A practice id was requested that the catalog does not define."""


class ProbeTargetError(UserError):
    """The URL to probe is malformed, unreachable, or fails TLS; partial results are kept."""


class ReportInputError(UserError):
    """The report given to ``readiness verify`` cannot be read as a Markdown document."""


class ServiceStartError(UserError):
    """The command given to ``--start`` exited, or never answered its health check in time."""
