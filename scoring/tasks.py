"""Celery tasks: ids in, a service call, nothing else."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db.models import F

from clusters.models import EmulationYear
from scoring.ranking.services.fan_out import BUSY_RETRY_SECONDS, batch_chunk_run
from scoring.ranking.services.recompute import RecomputeBusy, year_recompute

logger = logging.getLogger(__name__)


@shared_task(
    name="scoring.tasks.recompute_year",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(RecomputeBusy,),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=20,
)
def recompute_year(emulation_year_id: int) -> dict:
    outcome = year_recompute(emulation_year_id=emulation_year_id)
    return {"status": outcome.status, "run": outcome.run_id, "seconds": round(outcome.seconds, 4)}


@shared_task(
    name="scoring.tasks.recompute_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def recompute_chunk(self, batch_id: int, emulation_year_ids: list[int], force: bool = False) -> int:
    """One chunk of a batch recompute (routed to the bulk queue: settings.CELERY_TASK_ROUTES).
    Years another process holds are queued again on their own, a little later."""
    busy = batch_chunk_run(batch_id=batch_id, emulation_year_ids=emulation_year_ids, force=force)
    if busy:
        self.apply_async((batch_id, busy, force), countdown=BUSY_RETRY_SECONDS)
    return len(emulation_year_ids) - len(busy)


@shared_task(name="scoring.tasks.recompute_dirty_years", acks_late=True)
def recompute_dirty_years(limit: int = 200) -> int:
    """Picks up years left dirty (a broker that was down, a worker that died) and queues them."""
    ids = list(
        EmulationYear.objects.filter(scored_version__lt=F("input_version"))
        .order_by("dirty_since")
        .values_list("pk", flat=True)[:limit]
    )
    for year_id in ids:
        recompute_year.delay(year_id)
    return len(ids)


@shared_task(
    name="scoring.tasks.send_notifications",
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def send_notifications() -> int:
    """Sends the unsent messages of the outbox; each is claimed before it is sent, so two of these
    running at once (or a retry) never send one twice."""
    from scoring.inbox.services import notifications_send  # cycle: it queues this task

    return notifications_send()


@shared_task(name="scoring.tasks.notify_due", acks_late=True)
def notify_due() -> int:
    """Records the messages that fall due with the calendar (deadline, lateness, missing
    signatures, a ballot everyone has voted in) — each once — and sends them."""
    from scoring.inbox.services import notify_due as record  # cycle: as above

    return record()
