from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")

app = Celery("emulation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_as_for_a_request(sender=None, **_kwargs):
    """A task treats its database connection as a web request does: kept for DB_CONN_MAX_AGE
    seconds, health-checked before its first use, replaced when broken. (Celery's Django fix-up
    would close it before and after every task — settings.CELERY_DB_REUSE_MAX turns that off —
    and a new PostgreSQL backend per recompute cost the server more CPU than the recompute.)"""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # in-process (the embedded default, tests): the caller's connection
    from django.db import close_old_connections  # this module loads before Django is set up

    close_old_connections()
