"""DRF's side of the permission helper: wrap a ``can_*`` function from ``portal.permissions``."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from portal.permissions import can_sign_in, can_use_portal


def _check(decision, request, view):
    if decision:
        return True
    if decision.hide:
        raise NotFound()
    view.permission_denied(request, message=decision.reason, code="permission_denied")
    return False


class PortalUser(BasePermission):
    """The user is logged in and has a role."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401/403 "not authenticated"
        return _check(can_use_portal(request.user), request, view)


class SignedIn(BasePermission):
    """Logged in with any role, the security and audit administrators included (``/me/``)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return _check(can_sign_in(request.user), request, view)


def Allows(check, *, business: bool = True):  # noqa: N802 - reads as a class in ``permission_classes``
    """``permission_classes = [Allows(can_read_catalog)]``: the view-level check, from the helper.
    ``business=False`` for the tools of the security and audit administrators, whom the business
    base check (``can_use_portal``) refuses."""

    base = PortalUser if business else SignedIn

    class _Allows(base):
        def has_permission(self, request, view):
            return super().has_permission(request, view) and _check(
                check(request.user), request, view
            )

    _Allows.__name__ = f"Allows_{check.__name__}"
    return _Allows
