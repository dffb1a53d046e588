"""A recompute of many years shared by every worker: the years are split into chunks, each queued
as a task on the bulk queue (settings.RECOMPUTE_BULK_QUEUE), so that N workers on one or several
machines take them in parallel. A chunk is `years_recompute` — atomic per chunk and idempotent —
so a chunk that runs twice (a worker lost, a retry) writes nothing twice. A year another process
holds is queued again on its own, a little later, until it is done; the batch counts the years
done, so its progress is known ("how many years left") wherever it is read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clusters.audit import Actor, audit_record
from scoring.models import RecomputeBatch
from scoring.ranking.services.recompute import CHUNK, RecomputeOutcome, years_recompute

# A busy year is tried again after this many seconds.
BUSY_RETRY_SECONDS = 2


def recompute_fan_out(
    *,
    emulation_year_ids: Iterable[int],
    force: bool = False,
    chunk: int = CHUNK,
    reason: str = "",
    actor: Actor = None,
) -> RecomputeBatch:
    """Queue the recompute of these years in chunks of `chunk`, after the commit."""
    from scoring.tasks import recompute_chunk  # cycle: the task records its chunk here

    ids = sorted(set(emulation_year_ids))
    chunks = [ids[i : i + chunk] for i in range(0, len(ids), chunk)]
    with transaction.atomic():
        batch = RecomputeBatch.objects.create(
            reason=reason.strip(),
            force=force,
            years_total=len(ids),
            chunks_total=len(chunks),
            finished_at=timezone.now() if not ids else None,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="recompute.batch",
            obj=batch,
            summary=f"Tính lại {len(ids)} năm thi đua ({len(chunks)} phần)",
            after={"years": len(ids), "chunks": len(chunks), "force": force},
            reason=reason.strip(),
        )
        transaction.on_commit(
            lambda: [recompute_chunk.delay(batch.pk, part, force) for part in chunks]
        )
    return batch


def batch_chunk_run(*, batch_id: int, emulation_year_ids: list[int], force: bool) -> list[int]:
    """Recompute one chunk of a batch and count it; returns the years another process held,
    which the caller queues again."""
    outcomes = years_recompute(emulation_year_ids=emulation_year_ids, force=force)
    busy = [o.emulation_year_id for o in outcomes if o.status == "busy"]
    batch_count(batch_id=batch_id, outcomes=[o for o in outcomes if o.status != "busy"])
    return busy


def batch_count(*, batch_id: int, outcomes: list[RecomputeOutcome]) -> None:
    """Add a chunk's finished years to the batch (one conditional UPDATE, safe under concurrent
    chunks); the batch is finished when every year is done."""
    if not outcomes:
        return
    written = sum(o.status == "written" for o in outcomes)
    with transaction.atomic():
        RecomputeBatch.objects.filter(pk=batch_id).update(
            years_done=F("years_done") + len(outcomes),
            years_written=F("years_written") + written,
        )
        RecomputeBatch.objects.filter(
            pk=batch_id, finished_at=None, years_done=F("years_total")
        ).update(finished_at=timezone.now())
