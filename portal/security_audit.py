"""Security audit (MLPS 2.0 level 3, GB/T 22239-2019 8.1.4.3): the events the audit log keeps
besides the workflow transitions the services record.

- logins, failed logins (unknown usernames too) and logouts: Django's auth signals, so the
  login page, the admin login and ``authenticate(request=…)`` anywhere (the API token view) are
  all covered;
- permission refusals: every 403 answer, page or API, with its path, method and reason;
- downloads: every answer carrying a ``Content-Disposition`` (plans, stamped scans, evidence,
  summaries and exports, PDF or spreadsheet), once per download, with the file's name and
  the object it came from when the view says so (``download_of``);
- admin changes: one entry per ``django.contrib.admin`` ``LogEntry``.

Each event is one INSERT in its own savepoint: an audit failure is logged and never changes the
answer the user gets. Static files (WhiteNoise answers before this middleware) and the health
check are not recorded.
"""

import json
import logging
import re
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)

USERNAME_MAX = 150
PATH_MAX = 500
TEXT_MAX = 500
SKIPPED_VIEWS = frozenset({"healthz", "api-schema", "javascript-catalog"})

# Action names (stable keys; the audit page shows them as they are).
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOGOUT = "auth.logout"
DENIED = "access.denied"
DOWNLOAD = "file.download"
ADMIN_ACTIONS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}


def record_safely(**kwargs: Any) -> None:
    """``audit_record`` in a savepoint; a failure is logged, never raised into the request."""
    from .services import audit_record

    try:
        with transaction.atomic():
            audit_record(**kwargs)
    except Exception:  # noqa: BLE001 - the audit must not hide the original answer
        logger.exception("security audit entry %s not recorded", kwargs.get("action"))


def _user_content_type() -> ContentType:
    return ContentType.objects.get_for_model(get_user_model())


def _clip(value: Any, limit: int = TEXT_MAX) -> str:
    return str(value or "")[:limit]


# --- logins and logouts ----------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="portal.security_audit.login")
def on_login(sender, request, user, **kwargs):
    record_safely(actor=user, action=LOGIN, target=user, request=request, data=_via(request))


@receiver(user_logged_out, dispatch_uid="portal.security_audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:  # logging out without being logged in
        return
    record_safely(actor=user, action=LOGOUT, target=user, request=request, data=_via(request))


@receiver(user_login_failed, dispatch_uid="portal.security_audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """The target is the account tried when it exists, else no object (``object_id`` "");
    the attempted username is kept, truncated. The password never is (Django masks it)."""
    User = get_user_model()
    username = _clip(credentials.get(User.USERNAME_FIELD) or credentials.get("username"), 150)
    known = User.objects.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True)
    pk = known.first() if username else None
    record_safely(
        actor=None,
        action=LOGIN_FAILED,
        content_type=_user_content_type(),
        object_id="" if pk is None else str(pk),
        request=request,
        data={"username": username, "known": pk is not None, **_via(request)},
    )


def _via(request) -> dict[str, str]:
    """Which door: the login page, the admin's, or the API."""
    path = getattr(request, "path", "") if request is not None else ""
    return {"path": _clip(path, PATH_MAX)} if path else {}


# --- refusals and downloads: one middleware ---------------------------------------------------

_FILENAME_STAR = re.compile(r"filename\*=(?:UTF-8|utf-8)''([^;]+)")
_FILENAME = re.compile(r'filename="?([^";]+)"?')


def download_filename(disposition: str) -> str:
    match = _FILENAME_STAR.search(disposition)
    if match:
        return unquote(match.group(1))
    match = _FILENAME.search(disposition)
    return match.group(1) if match else ""


def download_of(response, target: models.Model | None):
    """Name the object a download comes from (a plan, a version, an evidence file, a job); the
    audit entry then points at it. Returns the response."""
    if target is not None:
        response.audit_target = target
    return response


def mark_audited(response):
    """The view recorded this answer itself (the audit log's own export): don't record it twice."""
    response.audit_recorded = True
    return response


class SecurityAuditMiddleware:
    """Record every 403 and every download. After ``AuthenticationMiddleware``; DRF puts its
    token-authenticated user on the Django request too, so API events have their actor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            self.after(request, response)
        except Exception:  # noqa: BLE001 - never hide the original answer
            logger.exception("security audit of %s failed", request.path)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.audit_denied_reason = str(exception)

    def after(self, request, response) -> None:
        if getattr(response, "audit_recorded", False):
            return
        status = response.status_code
        if status not in (200, 403):
            return
        if request.path.startswith(settings.STATIC_URL):
            return
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else ""
        if view in SKIPPED_VIEWS:
            return
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        where = {
            "path": _clip(request.get_full_path(), PATH_MAX),
            "method": request.method,
            "view": view,
            "kwargs": {k: _clip(v, 64) for k, v in (match.kwargs if match else {}).items()},
        }
        if status == 403:
            record_safely(
                actor=actor,
                action=DENIED,
                content_type=_user_content_type(),
                object_id="",
                request=request,
                data={**where, "status": 403, "reason": _clip(_denied_reason(request, response))},
            )
            return
        disposition = response.get("Content-Disposition", "")
        if not disposition:
            return
        target = getattr(response, "audit_target", None)
        record_safely(
            actor=actor,
            action=DOWNLOAD,
            target=target,
            content_type=None if target is not None else _user_content_type(),
            object_id="",
            request=request,
            data={
                **where,
                "filename": _clip(download_filename(disposition), 255),
                "content_type": _clip(response.get("Content-Type", ""), 100),
            },
        )


def _denied_reason(request, response) -> str:
    reason = getattr(request, "audit_denied_reason", "")
    if reason:
        return reason
    data = getattr(response, "data", None)  # a DRF Response: {"detail": …, "code": …}
    if isinstance(data, dict):
        return str(data.get("detail", ""))
    return ""


# --- admin changes ---------------------------------------------------------------------------


def record_admin_log(entry) -> None:
    """One audit entry per admin ``LogEntry``: who added, changed or deleted what."""
    try:
        change = json.loads(entry.change_message or "[]")
    except ValueError:
        change = entry.change_message
    record_safely(
        actor=entry.user,
        action=ADMIN_ACTIONS.get(entry.action_flag, "admin.other"),
        content_type=ContentType.objects.get_for_id(entry.content_type_id)
        if entry.content_type_id
        else _user_content_type(),
        object_id=_clip(entry.object_id, 64),
        data={"object": _clip(entry.object_repr, 200), "change": change, "log_entry": entry.pk},
    )


def connect_admin_log() -> None:
    """Single admin changes save their ``LogEntry`` (``post_save``). A deletion of several
    objects at once bulk-creates its entries (no signal): ``ModelAdmin.log_deletions``, the
    admin's hook for that, is wrapped once for every model admin to record those."""
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    def on_log_entry(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            record_admin_log(instance)

    post_save.connect(
        on_log_entry, sender=LogEntry, weak=False, dispatch_uid="portal.security_audit.admin"
    )

    original = ModelAdmin.log_deletions
    if getattr(original, "portal_audited", False):
        return

    def log_deletions(self, request, queryset):
        entries = original(self, request, queryset)
        if isinstance(entries, list) and len(entries) > 1:  # bulk-created: no post_save
            for entry in entries:
                record_admin_log(entry)
        return entries

    log_deletions.portal_audited = True
    log_deletions.__doc__ = original.__doc__
    ModelAdmin.log_deletions = log_deletions
