"""An emulation year's input version: every change of a scoring input marks the year dirty and
queues a recompute once the change is committed."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now

from clusters.models import EmulationYear, Membership, UnitSuccession
from scoring.tasks import recompute_year

logger = logging.getLogger(__name__)


def year_mark_dirty(*, emulation_year_id: int) -> None:
    """Bump the year's input version (one conditional UPDATE, no read-modify-write) and queue a
    recompute after commit. A broker that is down loses nothing: the year stays dirty and the
    periodic sweep picks it up."""
    # A published year's results are frozen: its inputs changing (a figure that feeds its prev(),
    # say) does not touch them. Reopening the year marks it dirty again.
    changed = (
        EmulationYear.objects.filter(pk=emulation_year_id)
        .exclude(status=EmulationYear.Status.PUBLISHED)
        .update(input_version=F("input_version") + 1, dirty_since=Coalesce(F("dirty_since"), Now()))
    )
    if not changed:
        return
    transaction.on_commit(lambda: year_queue_recompute(emulation_year_id=emulation_year_id))


def figures_mark_dirty(*, emulation_year_id: int, unit_ids: set[int]) -> None:
    """Figures of year Y feed the year itself and, through prev(), the next year of every cluster
    in which these units — or the units they merged into — are members."""

    year_mark_dirty(emulation_year_id=emulation_year_id)
    year = EmulationYear.objects.only("year").get(pk=emulation_year_id)
    successors = dict(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    related = set(unit_ids)
    frontier = list(unit_ids)
    while frontier:
        nxt = successors.get(frontier.pop())
        if nxt is not None and nxt not in related:
            related.add(nxt)
            frontier.append(nxt)
    # Y+1 through prev(); and Y itself in other clusters whose members these units merged into
    # (a merger during Y makes the predecessor's Y figures part of the successor's inputs).
    affected = (
        Membership.objects.filter(
            emulation_year__year__in=[year.year, year.year + 1], unit_id__in=related
        )
        .exclude(emulation_year_id=emulation_year_id)
        .values_list("emulation_year_id", flat=True)
        .distinct()
    )
    for other_year_id in affected:
        year_mark_dirty(emulation_year_id=other_year_id)


def year_queue_recompute(*, emulation_year_id: int) -> bool:

    try:
        recompute_year.delay(emulation_year_id)
    except Exception:  # any broker failure: the sweep will retry
        logger.warning(
            "could not queue the recompute of year %s; the sweep will",
            emulation_year_id,
            exc_info=True,
        )
        return False
    return True


def units_mark_dirty(*, unit_ids: set[int]) -> None:
    """A change about units themselves (a succession): every year they are members of."""

    year_ids = (
        Membership.objects.filter(unit_id__in=unit_ids)
        .values_list("emulation_year_id", flat=True)
        .distinct()
    )
    for year_id in year_ids:
        year_mark_dirty(emulation_year_id=year_id)
