"""The Ministry administrator's editor for programs and reference tasks.

Access follows model permissions, which only the ``ministry_admin`` group holds.
"""

from django.contrib import admin

from .models import CalendarEntry, EntityType, Program, ReferenceTask, TaskCategory


class EntityTypeInline(admin.TabularInline):
    model = EntityType
    extra = 0


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0


class TaskCategoryInline(admin.TabularInline):
    model = TaskCategory
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "short_name_zh",
        "document_number",
        "plan_deadline",
        "cadence",
        "recommendation_quota",
        "is_active",
    ]
    list_filter = ["cadence", "is_active"]
    search_fields = ["code", "name_zh", "name_en", "document_number"]
    inlines = [EntityTypeInline, CalendarEntryInline, TaskCategoryInline]


@admin.register(ReferenceTask)
class ReferenceTaskAdmin(admin.ModelAdmin):
    list_display = ["program", "number", "category", "title_zh", "mandatory"]
    list_filter = ["program", "mandatory", "category__name_zh"]
    search_fields = ["title_zh", "title_en"]
    list_select_related = ["program", "category"]
    ordering = ["program", "number"]
