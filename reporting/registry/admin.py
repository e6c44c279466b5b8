"""The registry's part of the program admin page: which deliverable kinds the program records.

The program's page belongs to tasks_catalog, which does not know the registry; the registry adds
its inline to that page (an app downstream extends the one upstream, never the reverse)."""

from django.contrib import admin

from reporting.registry.models import ProgramDeliverableKind
from tasks_catalog.admin import ProgramAdmin


class ProgramDeliverableKindInline(admin.TabularInline):
    """No row: the program records the six kinds of 64号's “1+4+N” system."""

    model = ProgramDeliverableKind
    extra = 0


if ProgramDeliverableKindInline not in ProgramAdmin.inlines:
    ProgramAdmin.inlines = [*ProgramAdmin.inlines, ProgramDeliverableKindInline]
