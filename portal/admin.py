"""Admin for the Ministry administrator: users, organisations; the audit log read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Notification, Organisation, User
from .services import audit_record, user_sync_role


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "region_type", "is_active"]
    list_filter = ["kind", "region_type", "is_active"]
    search_fields = ["code", "name_zh", "name_en", "region_name_zh", "region_name_en"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "email",
        "role",
        "organisation",
        "is_active",
    ]
    list_filter = ["role", "is_active", "organisation__kind"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (
            _("Role in the portal"),
            {"fields": ("role", "organisation", "title", "phone", "language")},
        ),
        *DjangoUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "organisation", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Group membership and staff status follow the role; only superusers touch them directly.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_role(user=obj)
        audit_record(
            actor=request.user,
            action="user.change" if change else "user.create",
            target=obj,
            data={"role": obj.role, "fields": sorted(form.changed_data)},
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_role(user=form.instance)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "from_state",
        "to_state",
    ]
    list_filter = ["action", "content_type"]
    search_fields = ["comment", "object_id"]
    list_select_related = ["actor", "content_type"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "status", "sent_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["recipient"]
