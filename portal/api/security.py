"""The API's logins and the security administrator's endpoints.

- ``POST /api/v1/auth/token/``: a new token (username, password, optional ``otp``);
  ``DELETE`` on it, or ``POST /api/v1/auth/token/revoke/``: end the token in use (API log-out).
- ``/api/v1/security/lockouts/`` and ``/api/v1/security/tokens/``: the security administrator's
  list and unlock of lockouts, list and revoke of tokens.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.lockouts import Kind, lockout_clear, lockout_list, lockout_message
from portal.models import ApiToken
from portal.passwords import password_change_reason
from portal.permissions import can_manage_security
from portal.tokens import (
    Revoked,
    second_factor_ok,
    token_active_list,
    token_issue,
    token_revoke,
    tokens_revoke_for_user,
)

from .permissions import Allows, PortalUser
from .schema import ErrorSerializer


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=gettext_lazy("One-time code of the second factor, where the account has one."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=gettext_lazy("The key: shown this once only."))
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()


class RevokeRequestSerializer(serializers.Serializer):
    all = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("End every token of mine, not only the one in use."),
    )


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class TokenView(APIView):
    """Log in to the API: a new token at each login, ending after ``API_TOKEN_TTL_HOURS``."""

    serializer_class = TokenObtainSerializer

    @extend_schema(
        summary="Obtain a new API token",
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: ErrorSerializer,
            403: OpenApiResponse(ErrorSerializer, description="The password must change first."),
            429: OpenApiResponse(ErrorSerializer, description="Locked out: too many failures."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The Django request, so that django-axes counts the failure and sees the lockout.
        django_request = request._request
        user = authenticate(
            request=django_request, username=data["username"], password=data["password"]
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(lockout_message())
            raise exceptions.ValidationError(
                {
                    "non_field_errors": [
                        _("Unable to log in with the given user name and password.")
                    ]
                },
                code="authorization",
            )
        if not second_factor_ok(user, data.get("otp", "")):
            user_login_failed.send(
                sender=__name__, credentials={"username": data["username"]}, request=django_request
            )
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(lockout_message())
            raise exceptions.ValidationError(
                {"otp": [_("The one-time code is missing or wrong.")]}, code="otp"
            )
        reason = password_change_reason(user)
        if reason:
            raise exceptions.PermissionDenied(reason, code="password_change_required")
        token, key = token_issue(user=user)
        return Response({"token": key, "prefix": token.prefix, "expires_at": token.expires_at})

    def _is_logout(self) -> bool:
        return getattr(getattr(self, "request", None), "method", "") == "DELETE"

    def get_authenticators(self):
        # Logging in needs no authentication; DELETE (the holder ending their token) does.
        return super().get_authenticators() if self._is_logout() else []

    def get_permissions(self):
        return [PortalUser()] if self._is_logout() else [AllowAny()]

    @extend_schema(
        summary="Log out of the API: end the token in use",
        description="End the token this request authenticated with.",
        responses={204: None, 400: ErrorSerializer},
    )
    def delete(self, request):
        _revoke_current(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _revoke_current(request) -> int:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is None:
        raise exceptions.ValidationError(
            {"non_field_errors": [_("This request was not authenticated with a token.")]},
            code="no_token",
        )
    return int(token_revoke(token=token, actor=request.user, reason=Revoked.LOGOUT))


class TokenRevokeView(APIView):
    """End the token in use (API log-out), or with ``{"all": true}`` every token of mine."""

    permission_classes = [PortalUser]

    @extend_schema(
        summary="Log out of the API: end the token in use (or all of mine)",
        request=RevokeRequestSerializer,
        responses={200: RevokedSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        serializer = RevokeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["all"]:
            count = tokens_revoke_for_user(
                user=request.user, actor=request.user, reason=Revoked.LOGOUT
            )
        else:
            count = _revoke_current(request)
        return Response({"revoked": count})


# --- The security administrator -----------------------------------------------------------------


class LockoutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    value = serializers.CharField()
    failures = serializers.IntegerField()
    last_attempt = serializers.DateTimeField()
    locked = serializers.BooleanField()
    locked_until = serializers.DateTimeField(allow_null=True)


class LockoutClearSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    value = serializers.CharField(max_length=255)


class ClearedSerializer(serializers.Serializer):
    cleared = serializers.IntegerField()


class LockoutViewSet(viewsets.ViewSet):
    """Accounts and addresses with failed logins still counted; locked ones first."""

    permission_classes = [Allows(can_manage_security, business=False)]

    @extend_schema(
        summary="List lockouts and failed logins", responses=LockoutSerializer(many=True)
    )
    def list(self, request):
        return Response(LockoutSerializer(lockout_list(), many=True).data)

    @extend_schema(
        summary="Unlock an account or an address",
        request=LockoutClearSerializer,
        responses={200: ClearedSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=False, methods=["post"])
    def clear(self, request):
        serializer = LockoutClearSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = lockout_clear(actor=request.user, **serializer.validated_data)
        if not count:
            raise exceptions.NotFound(_("There are no failed logins to clear for this."))
        return Response({"cleared": count})


class ApiTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "username",
            "user_name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "ip_address",
            "user_agent",
            "revoked_at",
            "revoked_reason",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List the API tokens in use",
        parameters=[OpenApiParameter("username", str, description="Only this user's tokens.")],
    )
)
class ApiTokenViewSet(viewsets.ReadOnlyModelViewSet):
    """Working API tokens (not expired, not revoked), newest first."""

    serializer_class = ApiTokenSerializer
    permission_classes = [Allows(can_manage_security, business=False)]
    filter_backends = []

    def get_queryset(self):
        tokens = token_active_list()
        username = self.request.query_params.get("username", "")
        if username and self.action == "list":
            tokens = tokens.filter(user__username=username)
        return tokens

    @extend_schema(
        summary="Revoke a token",
        request=None,
        responses={200: ApiTokenSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        token_revoke(token=token, actor=request.user, reason=Revoked.SECURITY_ADMIN)
        token.refresh_from_db()
        return Response(ApiTokenSerializer(token).data)
