"""Final summaries in the admin: read only (every write goes through the services)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from reporting.final.models import FinalReport, FinalReportVersion, TypicalCase


@admin.register(FinalReport)
class FinalReportAdmin(ReadOnlyAdmin):
    list_display = ["consortium", "period", "state", "revision", "updated_at", "submitted_at"]
    list_filter = ["state", "period__program"]
    list_select_related = ["consortium", "period"]


@admin.register(FinalReportVersion)
class FinalReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "submitted_at", "submitted_by", "pdf_sha256", "scan_sha256"]
    list_select_related = ["report__consortium", "report__period", "submitted_by"]


@admin.register(TypicalCase)
class TypicalCaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "consortium", "stage", "public_id"]
    list_select_related = ["consortium"]
