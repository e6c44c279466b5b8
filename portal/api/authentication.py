"""API authentication: ``Authorization: Token <key>`` against the portal's own tokens
(``portal.tokens``: hashed, expiring, revocable; a user who must first change their password is
refused, 403), and sessions that, like the pages, want the second factor first."""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from portal.passwords import password_change_reason
from portal.tokens import token_get_by_key


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = token_get_by_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        reason = password_change_reason(user)
        if reason:
            raise exceptions.PermissionDenied(reason, code="password_change_required")
        return (user, token)


class VerifiedSessionAuthentication(SessionAuthentication):
    """A session of a role that needs two factors counts only once it passed the verify step
    (403 ``otp_required`` before); token calls are not affected (a token is issued after the
    code, ``portal.otp.verify_code``)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        from portal.otp import otp_required_for

        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if otp_required_for(user) and not (is_verified and is_verified()):
            raise exceptions.PermissionDenied(
                _(
                    "Give the code of your authenticator app on the verify page "
                    "first: your role needs two factors."
                ),
                code="otp_required",
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema: a verified session is a session cookie like any other."""

    target_class = "portal.api.authentication.VerifiedSessionAuthentication"
