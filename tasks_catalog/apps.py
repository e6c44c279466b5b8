from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksCatalogConfig(AppConfig):
    name = "tasks_catalog"
    verbose_name = _("Programs and reference tasks")
