"""Admin of the three administrators (三员分立, ``portal/roles.py``): the system administrator
(Ministry administrator) keeps users and organisations, the security administrator gives roles,
the audit administrator reads the audit log (read-only, and each read is itself audited)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEntry, Notification, Organisation, User
from .roles import Role
from .services import audit_record, user_sync_role

# Second-factor devices are reset on the security administrator's page (audited), never edited
# in the admin, which would show their secrets.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Accounts the system administrator may not edit: the other two administrators' (and the
# superusers'); otherwise they could set a password and act as them.
_OTHER_ADMINISTRATORS = (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not request.user.is_superuser:
            # The system administrator creates accounts; the security administrator gives the role.
            fieldsets = (
                (
                    None,
                    {
                        "classes": ("wide",),
                        "fields": ("username", "email", "organisation", "password1", "password2"),
                    },
                ),
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Group membership and staff status follow the role; only superusers touch them directly.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        fixed = [
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        ]
        if request.user.role == Role.SECURITY_ADMIN:
            # Only the role (and the password is not theirs to set either).
            every = [f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]
            return [f for f in every if f != "role"] + fixed
        return ["role", *fixed]

    def _may_change(self, request, obj) -> bool:
        user = request.user
        if user.is_superuser or obj is None:
            return True
        if obj.is_superuser:
            return False
        if user.role == Role.SECURITY_ADMIN:
            # Roles of others only: nobody raises their own.
            return obj.pk != user.pk
        if user.role == Role.MINISTRY_ADMIN:
            return obj.role not in _OTHER_ADMINISTRATORS
        return True

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is account management: the system administrator's.
        if not request.user.is_superuser and request.user.role != Role.MINISTRY_ADMIN:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

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

    def _record_read(self, request, what: str) -> None:
        """The audit administrator's own reads are audit entries too."""
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="audit.read",
                target=request.user,
                data={"via": "admin", "what": what, "query": request.GET.urlencode()[:500]},
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            self._record_read(request, "list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self._record_read(request, f"entry {object_id}")
        return response


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "status", "sent_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["recipient"]
