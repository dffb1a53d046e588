from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Cụm thi đua")

    def ready(self) -> None:
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from .models import RoleGrant, Unit
        from .permissions import UNIT_TREE_KEY, scopes_changed

        def forget_the_unit_tree(**_kwargs) -> None:
            cache.delete(UNIT_TREE_KEY)
            scopes_changed()

        def forget_the_scopes(**_kwargs) -> None:
            scopes_changed()

        post_save.connect(forget_the_unit_tree, sender=Unit, weak=False)
        post_delete.connect(forget_the_unit_tree, sender=Unit, weak=False)
        post_save.connect(forget_the_scopes, sender=RoleGrant, weak=False)
        post_delete.connect(forget_the_scopes, sender=RoleGrant, weak=False)
