"""``Authorization: Token <key>`` against the portal's own tokens (``portal.tokens``): hashed,
expiring, revocable. A user who must first change their password is refused (403)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

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
