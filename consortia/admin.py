"""Consortia in the admin: read-only. Every change goes through the portal's pages or API
(services with workflow and audit); submitted versions can be changed by nobody."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Consortium, DeadlineExtension, Plan, PlanVersion


@admin.register(Consortium)
class ConsortiumAdmin(ReadOnlyAdmin):
    list_display = ["name", "program", "authority", "lead_unit_name", "pilot_since"]
    list_filter = ["program", "authority"]
    search_fields = ["name", "lead_unit_name", "lead_unit_credit_code"]
    list_select_related = ["program", "authority"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["consortium", "state", "revision", "updated_at", "submitted_at"]
    list_filter = ["state"]
    list_select_related = ["consortium"]


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "submitted_at", "submitted_by", "pdf_sha256", "scan_sha256"]
    list_select_related = ["plan__consortium", "submitted_by"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    list_display = ["program", "authority", "new_deadline", "granted_by", "created_at"]
    list_select_related = ["program", "authority", "granted_by"]
