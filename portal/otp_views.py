"""Pages of the second factor: verify, enrol, recovery codes, and the security administrator's
device list with its reset. The rules and writes are in ``portal.otp``."""

from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice

from . import otp
from .models import User
from .permissions import can_manage_two_factor
from .views import PermissionMixin


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _require_otp_role(user) -> None:
    if not otp.otp_role(user):
        raise PermissionDenied(
            _(
                "Two factors are for administrators and Ministry staff; your role signs in with its password."
            )
        )


def _show_codes(request, codes: list[str]):
    return render(
        request,
        "portal/two_factor_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@method_decorator(never_cache, name="dispatch")
class VerifyView(LoginRequiredMixin, View):
    """After the password: the code of the authenticator app, or a recovery code."""

    template_name = "portal/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not otp.otp_role(request.user) or request.user.is_verified():
            return redirect(_next_url(request))
        if not otp.is_enrolled(request.user):
            return redirect(f"{reverse('portal:otp-enrol')}?next={quote(_next_url(request))}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        wait = otp.throttled_for(request.user)
        device, logged_out = otp.session_verify(request, form.cleaned_data["code"])
        if logged_out:
            messages.error(
                request, _("Too many wrong codes: you have been logged out. Log in again.")
            )
            return redirect("login")
        if device is None:
            if wait:
                message = _(
                    "Too many wrong codes on this authenticator: wait %(seconds)s seconds, "
                    "then try again."
                ) % {"seconds": wait}
            else:
                message = _("That code is not right, or it has been used already.")
            form.add_error("code", message)
            return self._render(request, form, status=400)
        if isinstance(device, StaticDevice):
            left = otp.recovery_codes_left(request.user)
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; %(left)s remain. Make new ones "
                    "on the two-factor page if few remain."
                )
                % {"left": left},
            )
        return redirect(_next_url(request))

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "next": _next_url(request)},
            status=status,
        )


def _qr_svg(device) -> str:
    """The ``otpauth://`` address as an inline SVG drawn on the server (no script, no image
    request): paths only."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, svgclass="qr", title=escape(_("QR code for your authenticator app"))
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the title is escaped above


def _grouped_secret(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@method_decorator(never_cache, name="dispatch")
class EnrolView(LoginRequiredMixin, View):
    """Add an authenticator app: scan the QR code (or type the secret), confirm with its first
    code, then keep the recovery codes shown once."""

    template_name = "portal/two_factor_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _require_otp_role(request.user)
        if otp.is_enrolled(request.user):
            return redirect("portal:otp-status")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = otp.enrolment_start(user=request.user)
            codes = otp.enrolment_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
            if codes is not None:
                return _show_codes(request, codes)
            form.add_error(
                "code",
                _("That code is not right: check the time on your phone and try the next code."),
            )
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        device = otp.enrolment_start(user=request.user)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_svg": _qr_svg(device),
                "secret": _grouped_secret(device),
                "issuer": settings.OTP_TOTP_ISSUER,
                "next": _next_url(request),
            },
            status=status,
        )


@method_decorator(never_cache, name="dispatch")
class StatusView(LoginRequiredMixin, View):
    """One's own second factor: enrolled since, recovery codes left, make new ones."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _require_otp_role(request.user)
        if not otp.is_enrolled(request.user):
            return redirect("portal:otp-enrol")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(
            request,
            "portal/two_factor_status.html",
            {
                "device": otp.authenticator_for(request.user),
                "codes_left": otp.recovery_codes_left(request.user),
            },
        )

    def post(self, request):
        """Make new recovery codes (the old ones stop working)."""
        return _show_codes(request, otp.recovery_codes_regenerate(user=request.user))


class DeviceListView(PermissionMixin, View):
    """The security administrator's list: who needs two factors, who enrolled, reset."""

    permission = staticmethod(can_manage_two_factor)

    def get(self, request):
        users = otp.two_factor_list()
        return render(request, "portal/security_two_factor.html", {"people": users})


class DeviceResetView(PermissionMixin, View):
    permission = staticmethod(can_manage_two_factor)

    def post(self, request, pk):
        person = get_object_or_404(User, pk=pk)
        removed = otp.two_factor_reset(user=person, actor=request.user)
        messages.success(
            request,
            _(
                "The second factor of %(name)s has been reset (%(count)s devices removed): "
                "they enrol again at their next sign-in."
            )
            % {"name": person.display_name or person.username, "count": removed},
        )
        return redirect("portal:otp-device-list")
