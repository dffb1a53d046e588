"""Domain errors of the scoring app: views and commands turn them into a message."""

from __future__ import annotations


class ScoringError(Exception):
    """A request the domain refuses. The message is meant for the user, already translated into
    the request's language where it was raised (gettext, with the names and numbers of the
    moment); `field` names the form field it belongs next to (None: the form as a whole), so that
    views never look for words in a translated message; `code` says what was refused in words
    that do not change with the language (for logs, the API and tests)."""

    code = "refused"

    def __init__(self, *args, field: str | None = None, code: str | None = None) -> None:
        super().__init__(*args)
        self.field = field
        if code is not None:
            self.code = code


class YearLocked(ScoringError):
    """The year is published: its scheme, figures and results no longer change."""

    code = "year_locked"


class ReasonRequired(ScoringError):
    """An amendment without a reason."""

    code = "reason_required"


class ImportRefused(ScoringError):
    """A file whose content does not fit the year (unknown unit, element, criterion, …)."""

    code = "import_refused"
