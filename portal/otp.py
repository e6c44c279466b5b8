"""Two factors (MLPS 2.0 level 3) for administrators and Ministry staff: TOTP and recovery codes.

django-otp keeps the devices: one ``TOTPDevice`` (an authenticator app) and one
``StaticDevice`` holding single-use recovery codes, stored as hashes. ``OTPMiddleware`` marks a
session verified (``request.user.is_verified()``) once ``django_otp.login`` ran for it;
``TwoFactorMiddleware`` below then keeps every page, the admin site and session API calls closed
to an unverified user of a role in ``settings.OTP_REQUIRED_ROLES`` (verify step, or enrolment
when they have no device yet). ``otp_required_for`` and ``verify_code`` are what the API token
endpoint asks for the same roles.
"""

import hashlib
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .permissions import can_reset_two_factor, require
from .prepared import Prepared
from .services import audit_record

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"
FAILURES_SESSION_KEY = "otp_failures"


# --- Who and what -------------------------------------------------------------------------------


def otp_role(user) -> bool:
    """The user's role is one that needs two factors (whether or not it is enforced here)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.role in settings.OTP_REQUIRED_ROLES
    )


def otp_required_for(user) -> bool:
    """Must this user give a second factor (TOTP or recovery code) after the password?"""
    return bool(settings.OTP_REQUIRED) and otp_role(user)


def authenticator_for(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalise(code: str) -> str:
    return "".join(str(code).split()).replace("-", "").lower()


def _recovery_hash(code: str) -> str:
    """What is stored for a recovery code: 64 bits of its SHA-256 (StaticToken keeps 16 chars)."""
    return hashlib.sha256(_normalise(code).encode()).hexdigest()[:16]


def _is_totp_shape(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def two_factor_list():
    """Who needs two factors (or has a device), with ``enrolled`` (0/1) and ``codes_left``:
    the security administrator's list."""
    return (
        User.objects.filter(Q(role__in=settings.OTP_REQUIRED_ROLES) | Q(totpdevice__isnull=False))
        .select_related("organisation")
        .annotate(
            enrolled=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
            codes_left=Count(
                "staticdevice__token_set", filter=Q(staticdevice__confirmed=True), distinct=True
            ),
        )
        .distinct()
        .order_by("role", "username")
    )


# --- Verification ------------------------------------------------------------------------------


def throttled_for(user) -> int:
    """Seconds before the authenticator accepts another try (django-otp's growing delay after
    wrong codes, kept across sessions), 0 when it accepts one now."""
    from django.utils import timezone

    device = authenticator_for(user)
    if device is None:
        return 0
    allowed, info = device.verify_is_allowed()
    if allowed or not info or not info.get("locked_until"):
        return 0
    return max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)


def _token_for(device, code: str) -> str | None:
    """What to ask ``device`` for ``code``: six digits go to the authenticator only, anything
    else to the recovery codes only (as its hash), so a guess costs only one device a try."""
    if isinstance(device, TOTPDevice):
        return code if _is_totp_shape(code) else None
    if isinstance(device, StaticDevice):
        return None if _is_totp_shape(code) else _recovery_hash(code)
    return None


def match_device(user, code: str, *, via: str = "api"):
    """The confirmed device that accepts ``code`` (six digits: the authenticator; otherwise a
    recovery code, then used up), or None; a wrong code writes the audit entry
    ``auth.otp_failed``. Each TOTP code is accepted once (django-otp remembers the last one)."""
    code = _normalise(code or "")
    device = None
    if code and len(code) <= 32:
        with transaction.atomic():
            for candidate in devices_for_user(user, confirmed=True, for_verify=True):
                token = _token_for(candidate, code)
                if token is not None and candidate.verify_token(token):
                    device = candidate
                    break
    if device is None:
        with transaction.atomic():
            audit_record(actor=user, action="auth.otp_failed", target=user, data={"via": via})
    return device


def verify_code(user, code: str, *, via: str = "api") -> bool:
    """Does ``code`` (a TOTP code or an unused recovery code) prove the user's second factor?
    A recovery code is used up; a wrong code is audited (``auth.otp_failed``)."""
    return match_device(user, code, via=via) is not None


def session_verify(request, code: str):
    """The verify page's step: on success the session is marked verified (and gets a new key);
    on failure it counts, and the ``OTP_MAX_FAILED_ATTEMPTS``-th wrong code logs the session
    out. Returns ``(device or None, logged_out)``."""
    user = request.user
    device = match_device(user, code, via="verify")
    if device is not None:
        request.session.cycle_key()
        otp_login(request, device)
        request.session.pop(FAILURES_SESSION_KEY, None)
        with transaction.atomic():
            audit_record(
                actor=user,
                action="auth.otp_verified",
                target=user,
                data={"device": "recovery" if isinstance(device, StaticDevice) else "totp"},
            )
        return device, False
    failures = request.session.get(FAILURES_SESSION_KEY, 0) + 1
    request.session[FAILURES_SESSION_KEY] = failures
    if failures >= settings.OTP_MAX_FAILED_ATTEMPTS:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="auth.otp_logged_out",
                target=user,
                data={"failures": failures},
            )
        logout(request)
        return None, True
    return None, False


# --- Writes ------------------------------------------------------------------------------------


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator whose secret the enrolment page shows (the same one until
    it is confirmed, so reloading the page does not change the secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


@transaction.atomic
def enrolment_confirm(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with its first code; returns the recovery codes (shown
    once), or None when the code is wrong. The session counts as verified from then on."""
    user = device.user
    if is_enrolled(user) or not _is_totp_shape(_normalise(code or "")):
        return None
    if not device.verify_token(_normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="auth.otp_enrolled", target=user)
    request.session.cycle_key()
    otp_login(request, device)
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = []
    for _n in range(settings.OTP_RECOVERY_CODE_COUNT):
        raw = StaticToken.random_token()  # 8 characters of base32, 40 bits
        codes.append(f"{raw[:4]}-{raw[4:]}")
        device.token_set.create(token=_recovery_hash(raw))
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for an enrolled user (the old ones stop working); shown once."""
    if not is_enrolled(user):
        raise ValidationError(
            _("Set up an authenticator app first: recovery codes back it up."), code="not_enrolled"
        )
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="auth.otp_recovery_codes", target=user)
    return codes


@transaction.atomic
def two_factor_reset(*, user: User, actor: User) -> int:
    """The security administrator removes a user's authenticator and recovery codes (lost
    phone): at their next page the user enrols again. Returns how many devices went."""
    require(can_reset_two_factor(actor, user))
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()  # a StaticDevice takes its codes along
    audit_record(actor=actor, action="auth.otp_reset", target=user, data={"devices": removed})
    return removed


# --- Enforcement ---------------------------------------------------------------------------------


def _open_paths() -> tuple[str, ...]:
    """Where an unverified user of a 2FA role may still go."""
    return (
        reverse("login"),
        reverse("logout"),
        reverse("portal:otp-verify"),
        reverse("portal:otp-enrol"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("set_language"),
        reverse("javascript-catalog"),
        reverse("healthz"),
        settings.STATIC_URL,
    )


_device_reads: dict[type, Prepared] = {}


def _device_read(device_cls) -> Prepared:
    read = _device_reads.get(device_cls)
    if read is None:
        read = _device_reads[device_cls] = Prepared(
            lambda pk: device_cls.objects.filter(id=pk).order_by("pk")[:1], pk=int
        )
    return read


class PortalOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, the session's device read prepared (``portal.prepared``): every
    request of a verified session makes it."""

    def _device_from_persistent_id(self, persistent_id: str):
        """``Device.from_persistent_id``: the device, or None for an id that names none."""
        try:
            model_label, device_id = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            app_label, model_name = model_label.split(".")
            device_cls = apps.get_model(app_label, model_name)
        except (ValueError, LookupError):
            return None
        if not issubclass(device_cls, Device):
            return None
        try:
            return _device_read(device_cls).first(pk=device_id)
        except ValueError:
            return None


class TwoFactorMiddleware:
    """After the password, a user of a 2FA role reaches only the verify step (or enrolment, with
    no device yet), logging out, languages and static files until the session is verified.
    Pages redirect there; the API refuses such a session itself
    (``portal.api.authentication.VerifiedSessionAuthentication``), so that a token call works
    whatever cookie comes with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and otp_required_for(user)
            and not user.is_verified()
            and not request.path.startswith(_open_paths())
        ):
            if request.path.startswith("/api/"):
                # The API's own session authentication refuses it (403 ``otp_required``,
                # portal/api/authentication.py); token calls go through.
                return self.get_response(request)
            target = "portal:otp-verify" if is_enrolled(user) else "portal:otp-enrol"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


class TwoFactorAdminSite(admin.AdminSite):
    """The admin site refuses an unverified session of a 2FA role even if the middleware were
    left out (django-otp's ``OTPAdminSite`` does the same for every user)."""

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        return not otp_required_for(user) or bool(getattr(user, "is_verified", lambda: False)())
