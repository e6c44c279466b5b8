"""Response headers that tell the browser what a portal page may do.

The Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings: script
and style from the portal's own origin only, nothing inline); Referrer-Policy and
Cross-Origin-Opener-Policy from Django's SecurityMiddleware. What neither sets is here: the
Permissions-Policy, which turns off every powerful browser feature the portal never uses, so that
no script (ours or one smuggled in) can ask for the camera, the location or a payment.
"""

from django.conf import settings


def permissions_policy() -> str:
    """``camera=(), microphone=(), …``: each feature in settings.PERMISSIONS_POLICY, allowed nowhere."""
    return ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
