from .roles import NON_BUSINESS_ROLES


def portal(request):
    """What the page frame needs: the business menu for business roles, the two-factor link for
    the roles that use one; nothing but logging out until a 2FA session is verified."""
    from .otp import otp_required_for, otp_role

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    is_verified = getattr(user, "is_verified", None)
    verified = not otp_required_for(user) or bool(is_verified and is_verified())
    return {
        "menu_business": verified and user.role not in NON_BUSINESS_ROLES,
        "menu_open": verified,
        "menu_two_factor": verified and otp_role(user),
    }
