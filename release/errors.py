"""Errors of the release commands, each carrying the CLI exit code it maps to."""

from __future__ import annotations


class ReleaseError(Exception):
    exit_code = 1


class RefusedError(ReleaseError):
    """A gate failed, or the release was refused or reverted."""

    exit_code = 1


class ConfigError(ReleaseError):
    """Usage or configuration error: a bad option, an unknown tag, an invalid stack file."""

    exit_code = 2


class InfraError(ReleaseError):
    """Docker or the engine could not be reached or failed."""

    exit_code = 3


class LockHeldError(ReleaseError):
    exit_code = 4
