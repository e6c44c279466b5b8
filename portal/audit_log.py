"""Reading the audit log (the audit administrator's page and API): one filter for both, the
export table, and the audit of those reads themselves (``audit.search``, ``audit.export``)."""

import datetime as dt
import ipaddress
import json
from typing import Any

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, User
from .spreadsheets import csv_bytes, xlsx_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_MAX_ROWS = 100_000
PARAM_MAX = 100
FILTER_KEYS = ("since", "until", "actor", "action", "address", "object_type", "object_id")

# The security events (portal/security_audit.py) and the audit log's own; workflow actions
# (plan.submit, report.accept …) are searched the same way.
KNOWN_ACTIONS = [
    "auth.*",
    "auth.login",
    "auth.login_failed",
    "auth.logout",
    "access.denied",
    "file.download",
    "admin.*",
    "admin.add",
    "admin.change",
    "admin.delete",
    "audit.*",
    "audit.search",
    "audit.export",
    "audit.archive",
]


def object_type_choices() -> list[tuple[str, str]]:
    choices = []
    for ct in ContentType.objects.order_by("app_label", "model"):
        model = ct.model_class()
        label = str(model._meta.verbose_name) if model else ct.model
        choices.append((f"{ct.app_label}.{ct.model}", f"{label} ({ct.app_label}.{ct.model})"))
    return choices


def _day_start(day):
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min),
        timezone.get_current_timezone(),
    )


class AuditEntryFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(
        method="filter_since",
        label=_("From (date)"),
        help_text="First day, inclusive (YYYY-MM-DD, China time).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        method="filter_until",
        label=_("To (date)"),
        help_text="Last day, inclusive (YYYY-MM-DD, China time).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    actor = django_filters.CharFilter(
        method="filter_actor",
        label=_("Actor"),
        help_text="Username, or part of the user's username or name.",
        max_length=PARAM_MAX,
    )
    action = django_filters.CharFilter(
        method="filter_action",
        label=_("Action"),
        help_text="An action (auth.login), or a family ending in * (auth.*).",
        max_length=64,
    )
    address = django_filters.CharFilter(
        method="filter_address",
        label=_("Address"),
        help_text="An IP address, or its beginning (10.1.).",
        max_length=45,
        validators=[
            RegexValidator(r"^[0-9A-Fa-f:.]+$", _("Enter an IP address or the beginning of one."))
        ],
    )
    object_type = django_filters.ChoiceFilter(
        method="filter_object_type",
        label=_("Object type"),
        help_text="app_label.model, e.g. consortia.plan or portal.user.",
        choices=object_type_choices,
        empty_label=_("Any object type"),
    )
    object_id = django_filters.CharFilter(
        field_name="object_id", label=_("Object ID"), help_text="The object's id.", max_length=64
    )

    class Meta:
        model = AuditEntry
        fields = list(FILTER_KEYS)

    def filter_since(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        users = User.objects.filter(
            Q(username__icontains=value)
            | Q(last_name__icontains=value)
            | Q(first_name__icontains=value)
        )
        return queryset.filter(actor__in=users)

    def filter_action(self, queryset, name, value):
        value = value.strip()
        if value.endswith("*"):
            return queryset.filter(action__startswith=value[:-1])
        return queryset.filter(action=value) if value else queryset

    def filter_address(self, queryset, name, value):
        try:
            return queryset.filter(ip_address=str(ipaddress.ip_address(value)))
        except ValueError:
            return queryset.filter(ip_address__startswith=value)

    def filter_object_type(self, queryset, name, value: str):
        app_label, _dot, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


def audit_entry_list() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor", "content_type").order_by("-created_at", "-id")


def search_params(data) -> dict[str, str]:
    """The filters asked for (what the audit of a search keeps), clipped."""
    return {k: str(data.get(k))[:PARAM_MAX] for k in FILTER_KEYS if data.get(k)}


def audit_log_read(*, actor: User, action: str, params: dict[str, Any], **extra: Any) -> None:
    """The audit administrator's own reads are audited too; if that fails, the read fails."""
    from .services import audit_record

    audit_record(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(AuditEntry),
        object_id="",
        data={"filters": params, **extra},
    )


def _headers() -> list[str]:
    return [
        gettext("Time"),
        gettext("Actor"),
        gettext("Action"),
        gettext("Object type"),
        gettext("Object ID"),
        gettext("From state"),
        gettext("To state"),
        gettext("Comment"),
        gettext("Details"),
        gettext("Address"),
        gettext("User agent"),
    ]


def _row(entry: AuditEntry) -> list:
    return [
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor.username if entry.actor_id else "",
        entry.action,
        f"{entry.content_type.app_label}.{entry.content_type.model}",
        entry.object_id,
        entry.from_state,
        entry.to_state,
        entry.comment,
        json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else "",
        entry.ip_address or "",
        entry.user_agent,
    ]


def audit_export(*, rows: QuerySet[AuditEntry], fmt: str) -> tuple[bytes, str, str, int]:
    """The filtered entries as CSV or Excel (formula-safe): content, file name, type, count.
    More than ``EXPORT_MAX_ROWS`` is refused: narrow the time range."""
    if fmt not in FORMATS:
        raise ValidationError(gettext("Choose CSV or Excel."), code="format")
    count = rows.count()
    if count > EXPORT_MAX_ROWS:
        raise ValidationError(
            gettext(
                "%(count)s entries match; an export holds at most %(max)s. Narrow the time range."
            )
            % {"count": count, "max": EXPORT_MAX_ROWS},
            code="too_many",
        )
    table = (_row(e) for e in rows.iterator(chunk_size=2000))
    title = gettext("Audit log")
    content = (
        xlsx_bytes(title, _headers(), table) if fmt == "xlsx" else csv_bytes(_headers(), table)
    )
    name = f"audit-log-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
    return content, name, FORMATS[fmt], count
