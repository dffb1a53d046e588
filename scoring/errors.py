"""Domain errors of the scoring app: views and commands turn them into a message."""

from __future__ import annotations


class ScoringError(Exception):
    """A request the domain refuses; the message is meant for the user, already in the
    request's language. `field` names the form field the message belongs next to (None: the
    form as a whole), so that views need not look for words in a translated message."""

    def __init__(self, *args, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class YearLocked(ScoringError):
    """The year is published: its scheme, figures and results no longer change."""


class ReasonRequired(ScoringError):
    """An amendment without a reason."""


class ImportRefused(ScoringError):
    """A file whose content does not fit the year (unknown unit, element, criterion, …)."""
