from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Cụm thi đua")

    def ready(self) -> None:
        # Models and what uses them can be imported only once the app registry is ready.
        from django.db.models.signals import post_delete, post_save

        from clusters.models import RoleGrant, Unit
        from clusters.permissions import scopes_changed

        def forget_the_scopes(**_kwargs) -> None:
            # After the change, in its transaction: the scope generation in the database moves on
            # (clusters/permissions.py), and with it every cached scope and unit tree is stale.
            scopes_changed()

        for model in (RoleGrant, Unit):
            post_save.connect(forget_the_scopes, sender=model, weak=False)
            post_delete.connect(forget_the_scopes, sender=model, weak=False)
