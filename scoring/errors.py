"""Domain errors of the scoring app: views and commands turn them into a message."""

from __future__ import annotations


class ScoringError(Exception):
    """A request the domain refuses; the message is meant for the user."""


class YearLocked(ScoringError):
    """The year is published: its scheme, figures and results no longer change."""


class ReasonRequired(ScoringError):
    """An amendment without a reason."""


class ImportRefused(ScoringError):
    """A file whose content does not fit the year (unknown unit, element, criterion, …)."""
