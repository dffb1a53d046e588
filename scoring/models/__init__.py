"""How members are judged: schemes, targets, pledges, reports, scoring runs and standings."""

from __future__ import annotations

from scoring.models.award_history import (
    AwardDecision,
    AwardRecipient,
    AwardRuleSetFile,
    UnitHold,
)
from scoring.models.awards import AwardKind, AwardProposal, Ballot, BallotChoice, BallotVoter
from scoring.models.documents import (
    ConferenceDetails,
    DocumentKind,
    DocumentTemplate,
    GeneratedDocument,
)
from scoring.models.dossiers import (
    Council,
    CouncilMember,
    CouncilResult,
    Dossier,
    DossierDeadline,
    DossierDocument,
    WorkCalendarDay,
)
from scoring.models.inbox import Notification, NotificationPreference, UnitContact
from scoring.models.pledges import Pledge, PledgeSignature
from scoring.models.reports import (
    EvidenceFile,
    ManualPoints,
    Objection,
    Report,
    ReportComment,
    ReportValue,
)
from scoring.models.results import RecomputeBatch, RunInputs, Score, ScoringRun, Standing
from scoring.models.schemes import (
    Band,
    Criterion,
    CriterionGroup,
    DataElement,
    MemberTarget,
    Scheme,
)
from scoring.models.signatures import DocumentSignature

__all__ = [
    "AwardDecision",
    "AwardKind",
    "AwardProposal",
    "AwardRecipient",
    "AwardRuleSetFile",
    "Ballot",
    "BallotChoice",
    "BallotVoter",
    "Band",
    "ConferenceDetails",
    "Council",
    "CouncilMember",
    "CouncilResult",
    "Criterion",
    "CriterionGroup",
    "DataElement",
    "DocumentKind",
    "DocumentTemplate",
    "DocumentSignature",
    "Dossier",
    "DossierDeadline",
    "DossierDocument",
    "EvidenceFile",
    "GeneratedDocument",
    "ManualPoints",
    "MemberTarget",
    "Notification",
    "NotificationPreference",
    "Objection",
    "Pledge",
    "PledgeSignature",
    "RecomputeBatch",
    "Report",
    "ReportComment",
    "ReportValue",
    "RunInputs",
    "Scheme",
    "Score",
    "ScoringRun",
    "Standing",
    "UnitContact",
    "UnitHold",
    "WorkCalendarDay",
]
