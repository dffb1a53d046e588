"""How members are judged: schemes, targets, pledges, reports, scoring runs and standings."""

from __future__ import annotations

from .awards import AwardKind, AwardProposal, Ballot, BallotChoice, BallotVoter
from .inbox import Notification, NotificationPreference, UnitContact
from .pledges import Pledge, PledgeSignature
from .reports import EvidenceFile, ManualPoints, Objection, Report, ReportComment, ReportValue
from .results import Score, ScoringRun, Standing
from .schemes import Band, Criterion, CriterionGroup, DataElement, MemberTarget, Scheme

__all__ = [
    "AwardKind",
    "AwardProposal",
    "Ballot",
    "BallotChoice",
    "BallotVoter",
    "Band",
    "Criterion",
    "CriterionGroup",
    "DataElement",
    "EvidenceFile",
    "ManualPoints",
    "MemberTarget",
    "Notification",
    "NotificationPreference",
    "Objection",
    "Pledge",
    "PledgeSignature",
    "Report",
    "ReportComment",
    "ReportValue",
    "Scheme",
    "Score",
    "ScoringRun",
    "Standing",
    "UnitContact",
]
