"""Identification (GB/T 22239-2019 8.1.4.1): password complexity and history, forced change of a
password someone else set, periodic change for privileged accounts, idle and absolute session
timeouts.

Every password change passes through ``PasswordHistoryValidator.password_changed`` (Django calls
it from ``User.save()`` after ``set_password``, whichever form, command or service set it), so
the rules cannot be skipped: it records the hash, the date, whether the holder chose it, and ends
the user's API tokens. ``tests/test_security_auth.py`` checks that the validator is configured.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PasswordHistory, User
from .requestlocal import current_request
from .roles import Role
from .services import audit_record
from .tokens import Revoked, tokens_revoke_for_user

# Accounts whose password must change every PASSWORD_MAX_AGE_DAYS.
PRIVILEGED_ROLES = frozenset(
    {Role.MINISTRY_ADMIN, Role.MINISTRY_STAFF, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
)

# Session keys (seconds since the epoch).
LOGIN_AT = "portal_login_at"
LAST_ACTIVITY = "portal_last_activity"
ACTIVITY_PRECISION = 60  # the last activity is written at most once a minute


# --- Validators ---------------------------------------------------------------------------------


def _classes(password: str) -> int:
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class ComplexityValidator:
    """At least ``PASSWORD_MIN_LENGTH`` characters, from at least 3 of the 4 classes:
    upper-case letters, lower-case letters, digits, symbols."""

    CLASSES_REQUIRED = 3

    def __init__(self, min_length: int | None = None):
        self.min_length = min_length or settings.PASSWORD_MIN_LENGTH

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("The password must have at least %(min_length)d characters."),
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if _classes(password) < self.CLASSES_REQUIRED:
            errors.append(
                ValidationError(
                    _(
                        "The password must mix at least three of: upper-case letters, "
                        "lower-case letters, digits and symbols."
                    ),
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "At least %(min_length)d characters, mixing at least three of: upper-case letters, "
            "lower-case letters, digits and symbols."
        ) % {"min_length": self.min_length}


class PasswordHistoryValidator:
    """None of the last ``PASSWORD_HISTORY_COUNT`` passwords (the current one included) again.

    Its ``password_changed`` records every new password: see the module's docstring."""

    def __init__(self, count: int | None = None):
        self.count = count or settings.PASSWORD_HISTORY_COUNT

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        previous = [stored] if stored else []
        previous += list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.count
            ]
        )
        if any(check_password(password, encoded) for encoded in dict.fromkeys(previous)):
            raise ValidationError(
                _(
                    "You used this password recently. Choose one that is not among your last "
                    "%(count)d passwords."
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def password_changed(self, password: str, user=None) -> None:  # noqa: ARG002
        if user is not None and user.pk is not None:
            password_record_change(user=user, keep=self.count)

    def get_help_text(self) -> str:
        return _("It must differ from your last %(count)d passwords.") % {"count": self.count}


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def password_record_change(*, user: User, keep: int | None = None) -> None:
    """The user's password has just been set (called from ``User.save()``).

    Who set it decides whether it must change again: the holder themselves (their own page, or
    an e-mailed reset link, which is how an invited person chooses theirs) → no; another signed-in
    person (an administrator) → yes. Without a request (a command, a test factory, a service)
    the flag stays as the caller left it (``user_create`` sets it)."""
    keep = keep or settings.PASSWORD_HISTORY_COUNT
    request = current_request()
    setter = getattr(request, "user", None)
    by_someone_else = bool(setter is not None and setter.is_authenticated and setter.pk != user.pk)
    fields = {"password_changed_at": timezone.now()}
    if request is not None:
        fields["password_must_change"] = by_someone_else
    User.objects.filter(pk=user.pk).update(**fields)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    actor = setter if setter is not None and setter.is_authenticated else None
    tokens_revoke_for_user(user=user, actor=actor, reason=Revoked.PASSWORD_CHANGE)
    if request is not None:
        audit_record(
            actor=actor,
            action="user.password_change",
            target=user,
            data={"user": user.username, "must_change": user.password_must_change},
        )


@transaction.atomic
def password_mark_current(*, user: User) -> None:
    """The password stands as the holder's own, set now (the demo's published password)."""
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now(), password_must_change=False
    )
    user.password_changed_at = timezone.now()
    user.password_must_change = False


def password_change_reason(user) -> str:
    """Why the user must change their password before anything else ("" if they need not)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.password_must_change:
        return _(
            "Your password was set by someone else. Choose your own password before you continue."
        )
    if user.role in PRIVILEGED_ROLES and user.has_usable_password():
        changed = user.password_changed_at
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        if changed is None or (timezone.now() - changed).days >= max_age:
            return _(
                "Your password is more than %(days)d days old: administrators and Ministry "
                "staff change it regularly. Choose a new password before you continue."
            ) % {"days": max_age}
    return ""


def session_start(sender, request, user, **kwargs) -> None:  # noqa: ARG001
    """``user_logged_in``: the session's clocks start now."""
    if hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_ACTIVITY] = now


# --- Middleware ---------------------------------------------------------------------------------


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class SessionTimeoutMiddleware:
    """Log a session out after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and
    ``SESSION_COOKIE_AGE`` seconds after its login whatever its activity (Django's own expiry
    slides with every write to the session, so it cannot be the absolute limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            last = session.get(LAST_ACTIVITY)
            started = session.get(LOGIN_AT)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                message = _(
                    "Your session ended after %(minutes)d minutes without activity. "
                    "Please log in again."
                ) % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                return self._end(request, message)
            if started is not None and now - started > settings.SESSION_COOKIE_AGE:
                message = _(
                    "Your session ended %(hours)d hours after you logged in. Please log in again."
                ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}
                return self._end(request, message)
            if started is None:
                session[LOGIN_AT] = now
            if last is None or now - last >= ACTIVITY_PRECISION:
                session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def _end(self, request, message: str):
        # A timed-out session is not its holder logging out: their API tokens stay.
        request.portal_session_timed_out = True
        logout(request)
        if _is_api(request):
            return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())


class PasswordPolicyMiddleware:
    """A user who must change their password reaches only the password change page (and
    logging out); the API answers 403 with the reason."""

    EXEMPT_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            reason = password_change_reason(user)
            if reason:
                if _is_api(request):
                    return password_change_refusal(reason)
                if request.method == "GET":
                    messages.warning(request, reason)
                return redirect("password_change")
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        path = request.path_info
        if path.startswith((settings.STATIC_URL, "/jsi18n/", "/healthz")):
            return True
        return path in {reverse(name) for name in self.EXEMPT_URL_NAMES} or path == reverse(
            "admin:logout"
        )


def password_change_refusal(reason: str) -> JsonResponse:
    return JsonResponse({"detail": reason, "code": "password_change_required"}, status=403)
