"""The award dossier's path as data: its states, the step that leads from each, its checklist read
against the documents filed, and the awarding level's legal clocks in working days.

draft → submitted → (returned → resubmitted →)* appraised → decided → revoked. The proposing level
(the cluster's secretariat) prepares and submits; the awarding level returns it with reasons,
appraises it and records the decision, or revokes a decision with a reason. A dossier is received
on the day it is submitted (again, after a return): the awarding level then has `return_days`
working days to return it and `appraise_days` to appraise it; once appraised, `forward_days` to
forward the decision (QĐ 311/QĐ-BNV 2025, thủ tục XV, as the rule set's `clocks` say)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from scoring.engine.awards.types import Clocks, DossierItem
from scoring.engine.awards.workdays import WorkCalendar

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
RESUBMITTED = "resubmitted"
APPRAISED = "appraised"
DECIDED = "decided"
REVOKED = "revoked"
STATES = (DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPRAISED, DECIDED, REVOKED)

# step: (the states it may be taken from, the state it leads to)
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((DRAFT,), SUBMITTED),
    "resubmit": ((RETURNED,), RESUBMITTED),
    "return": ((SUBMITTED, RESUBMITTED), RETURNED),
    "appraise": ((SUBMITTED, RESUBMITTED), APPRAISED),
    "decide": ((APPRAISED,), DECIDED),
    "revoke": ((DECIDED,), REVOKED),
}
# Waiting for the awarding level: its clocks run.
AWAITING = (SUBMITTED, RESUBMITTED, APPRAISED)
# The proposing level may change its documents.
EDITABLE = (DRAFT, RETURNED)
# The council may record its vote on the proposal until the decision.
VOTABLE = (DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPRAISED)


class DossierStepError(ValueError):
    """A step the dossier's state does not allow."""

    def __init__(self, state: str, step: str) -> None:
        super().__init__(f"{step}: not from {state}")
        self.state = state
        self.step = step


def step_allowed(state: str, step: str) -> bool:
    return step in STEPS and state in STEPS[step][0]


def next_state(state: str, step: str) -> str:
    """The state `step` leads to from `state`; DossierStepError if it may not be taken."""
    if not step_allowed(state, step):
        raise DossierStepError(state, step)
    return STEPS[step][1]


def missing_documents(items: Iterable[DossierItem], filed: Iterable[str]) -> list[DossierItem]:
    """The required documents of the checklist that are not filed, in the checklist's order."""
    have = set(filed)
    return [item for item in items if item.required and item.code not in have]


@dataclass(frozen=True)
class ReceiptClocks:
    """The awarding level's deadlines for a dossier received on `received_on`."""

    received_on: dt.date
    return_by: dt.date
    appraise_by: dt.date


def receipt_clocks(calendar: WorkCalendar, clocks: Clocks, received_on: dt.date) -> ReceiptClocks:
    return ReceiptClocks(
        received_on,
        calendar.add(received_on, clocks.return_days),
        calendar.add(received_on, clocks.appraise_days),
    )


def forward_by(calendar: WorkCalendar, clocks: Clocks, appraised_on: dt.date) -> dt.date:
    """The day the decision must be forwarded by, counted from the appraisal."""
    return calendar.add(appraised_on, clocks.forward_days)


def working_days_left(calendar: WorkCalendar, today: dt.date, due: dt.date) -> int:
    """Working days from today to the deadline: 0 on the day it falls due, negative once past."""
    return calendar.between(today, due)


def overdue(state: str, due: dt.date | None, today: dt.date) -> bool:
    """Whether the awarding level has let its current clock run out."""
    return state in AWAITING and due is not None and today > due
