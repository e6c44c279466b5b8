"""Session authentication for the API that, like the pages, wants the second factor first."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication


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
