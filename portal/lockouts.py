"""Brute-force protection with django-axes: its backend, middleware and database handler count
the failed logins of every entry point (the login page, the admin's, the API's token endpoint);
this module is the portal's side of it: the answer a locked-out client gets, an audit entry for
every lockout, and the security administrator's list and unlock.

An account, or an address, is locked out after ``AXES_FAILURE_LIMIT`` failures within
``AXES_COOLOFF_TIME`` (``AXES_LOCKOUT_PARAMETERS``: each one counts on its own).
"""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import models, transaction
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User
from .permissions import can_manage_security, require
from .services import audit_record


class Kind(models.TextChoices):
    """What a lockout holds: an account (by user name) or an address."""

    USERNAME = "username", gettext_lazy("Account")
    IP_ADDRESS = "ip_address", gettext_lazy("Address")


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "Too many failed logins: this account or this address is locked for %(minutes)d "
        "minutes. Try again later, or ask the security administrator to unlock it."
    ) % {"minutes": cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):  # noqa: ARG001
    """``AXES_LOCKOUT_CALLABLE``: a translated page, or JSON for the API; 429 either way."""
    message = lockout_message()
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        response = render(request, "security/lockout.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response


def record_lockout(sender, request, username, ip_address, **kwargs) -> None:  # noqa: ARG001
    """``axes.signals.user_locked_out``: one audit entry when a lockout starts (not for every
    refused attempt while it lasts)."""
    if request is None:
        return
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None or failures != get_failure_limit(request, None):
        return
    target = User.objects.filter(username=username).first() if username else None
    if target is None:
        target = (
            AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
            or AccessAttempt.objects.filter(ip_address=ip_address).first()
        )
    if target is None:
        return
    audit_record(
        actor=None,
        action="security.lockout",
        target=target,
        data={
            "username": username or "",
            "ip_address": ip_address or "",
            "path": request.path_info[:200],
            "failures": failures,
        },
        request=request,
    )


@dataclass(frozen=True)
class Lockout:
    kind: str
    value: str
    failures: int
    last_attempt: datetime
    locked: bool
    locked_until: datetime | None


def lockout_list() -> list[Lockout]:
    """Accounts and addresses with failed logins still counted, locked ones first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    limit = settings.AXES_FAILURE_LIMIT
    found = []
    for kind in (Kind.USERNAME, Kind.IP_ADDRESS):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        )
        for row in rows:
            if not row[kind]:
                continue
            locked = row["failures"] >= limit
            found.append(
                Lockout(
                    kind=str(kind),
                    value=str(row[kind]),
                    failures=row["failures"],
                    last_attempt=row["last"],
                    locked=locked,
                    locked_until=row["last"] + settings.AXES_COOLOFF_TIME if locked else None,
                )
            )
    found.sort(key=lambda lockout: (not lockout.locked, -lockout.last_attempt.timestamp()))
    return found


@transaction.atomic
def lockout_clear(*, kind: str, value: str, actor: User) -> int:
    """Forget the failed logins of an account or an address (which unlocks it); audited.
    Returns how many records axes removed (0: there was nothing to clear)."""
    require(can_manage_security(actor))
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose an account or an address.")}, code="invalid")
    if kind == Kind.IP_ADDRESS:
        try:
            validate_ipv46_address(value)
        except ValidationError:
            raise ValidationError(
                {"value": _("Enter a valid IPv4 or IPv6 address.")}, code="invalid"
            ) from None
    attempts = AccessAttempt.objects.filter(**{kind: value})
    if not attempts.exists():
        return 0
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    target = (
        User.objects.filter(username=value).first() if kind == Kind.USERNAME else None
    ) or attempts.first()
    if kind == Kind.USERNAME:
        count = AxesProxyHandler.reset_attempts(username=value)
    else:
        count = AxesProxyHandler.reset_attempts(ip_address=value)
    audit_record(
        actor=actor,
        action="security.lockout_clear",
        target=target,
        data={"kind": kind, "value": value, "failures": failures},
    )
    return count


def axes_username(request, credentials=None) -> str:
    """The username django-axes counts failures of (``AXES_USERNAME_CALLABLE``), cut to what a
    username can be (150 characters): a longer one is no account, and axes keeps the name in a
    255-character column, which PostgreSQL would refuse with a server error."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return str(value or "")[: User._meta.get_field("username").max_length]
