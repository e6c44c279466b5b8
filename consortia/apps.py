from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiaConfig(AppConfig):
    name = "consortia"
    verbose_name = _("Consortia and implementation plans")

    def ready(self) -> None:
        from portal.inbox import register, register_panel

        from . import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from .inbox import consortia_panel, plan_items

        register(plan_items)
        register_panel(consortia_panel)
