from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksCatalogConfig(AppConfig):
    name = "tasks_catalog"
    verbose_name = _("Programs and reference tasks")

    def ready(self) -> None:
        from portal.inbox import register, register_panel

        from . import terms
        from .inbox import deadlines, programs_panel

        terms.connect()

        register(deadlines)
        register_panel(programs_panel)
