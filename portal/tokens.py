"""API tokens: issued fresh at each login, kept as a hash, ending after ``API_TOKEN_TTL_HOURS``.

A user may hold a few at once (one per script or device, at most ``API_TOKEN_MAX_PER_USER``:
the oldest ends when a new one would exceed it). A token ends when it expires, when its holder
logs out (the API's revoke endpoint, or the portal's log-out), when the password changes, or
when the security administrator revokes it. Clients keep sending ``Authorization: Token <key>``
(``portal.api.authentication.ApiTokenAuthentication``).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, User
from .requestlocal import client_address, current_request, user_agent
from .services import audit_record

KEY_BYTES = 20  # 40 hexadecimal characters, as clients of DRF's tokens are used to
PREFIX_LENGTH = 8
LAST_USED_PRECISION = timedelta(minutes=1)  # write last_used_at at most once a minute


class Revoked:
    """Why a token ended (``ApiToken.revoked_reason``): stable keys, never translated text."""

    LOGOUT = "logout"
    PASSWORD_CHANGE = "password_change"  # noqa: S105 - a reason, not a password
    SECURITY_ADMIN = "security_admin"
    LIMIT = "limit"


def second_factor_ok(user: User, code: str) -> bool:
    """The second factor for an API login: a role that needs two factors gives the code of its
    authenticator (or a recovery code) as ``otp``; other roles need none (portal/otp.py)."""
    from .otp import otp_required_for, verify_code

    return not otp_required_for(user) or verify_code(user, code or "", via="api")


def key_hash(key: str) -> str:
    """The key is 160 random bits: one SHA-256 is enough (nothing to guess from a hash)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_active_list(*, user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens that still work (not revoked, not expired), newest first."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    if user is not None:
        tokens = tokens.filter(user=user)
    return tokens.select_related("user", "user__organisation")


def token_get_by_key(key: str) -> ApiToken | None:
    """The working token with this key, or None."""
    token = token_active_list().filter(key_hash=key_hash(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key (the only time the key is known)."""
    request = current_request()
    key = secrets.token_hex(KEY_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        ip_address=client_address(request),
        user_agent=user_agent(request),
    )
    audit_record(
        actor=user,
        action="token.issue",
        target=token,
        data={"user": user.username, "prefix": token.prefix},
    )
    surplus = list(token_active_list(user=user).order_by("-created_at", "-id"))[
        settings.API_TOKEN_MAX_PER_USER :
    ]
    for old in surplus:
        _revoke(old, actor=user, reason=Revoked.LIMIT)
    return token, key


def _revoke(token: ApiToken, *, actor: User | None, reason: str) -> None:
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="token.revoke",
        target=token,
        to_state=reason,
        data={"user": token.user.username, "prefix": token.prefix},
    )


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User, reason: str) -> bool:
    """End one token. Returns False if it had already ended."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return False
    _revoke(token, actor=actor, reason=reason)
    return True


@transaction.atomic
def tokens_revoke_for_user(*, user: User, actor: User | None, reason: str) -> int:
    """End every working token of ``user``; returns how many."""
    tokens = list(token_active_list(user=user).select_for_update(of=("self",)))
    for token in tokens:
        _revoke(token, actor=actor, reason=reason)
    return len(tokens)


def revoke_on_logout(sender, request, user, **kwargs) -> None:  # noqa: ARG001
    """``user_logged_out``: logging out of the portal ends the person's API tokens too (a session
    that timed out is not a log-out: ``portal.passwords.SessionTimeoutMiddleware``)."""
    if user is None or getattr(request, "portal_session_timed_out", False):
        return
    tokens_revoke_for_user(user=user, actor=user, reason=Revoked.LOGOUT)
