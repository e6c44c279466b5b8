from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import otp
from portal.models import Notification, Organisation, User
from portal.permissions import can_list_organisations, can_manage_two_factor
from portal.selectors import notification_list_for, organisation_list

from .permissions import Allows, PortalUser, SignedIn
from .serializers import (
    MeSerializer,
    NotificationSerializer,
    OrganisationSerializer,
    RecoveryCodesSerializer,
    TwoFactorResetSerializer,
    TwoFactorStatusSerializer,
)


class MeView(generics.RetrieveAPIView):
    """The logged-in user: role, organisation and home area."""

    serializer_class = MeSerializer
    permission_classes = [SignedIn]

    def get_object(self):
        return self.request.user


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The Ministry and the provincial authorities (``?kind=provincial_authority``)."""

    serializer_class = OrganisationSerializer
    permission_classes = [Allows(can_list_organisations)]
    filterset_fields = ["kind", "region_type", "code"]
    search_fields = ["name_zh", "name_en", "region_name_zh", "region_name_en"]

    def get_queryset(self):
        # Consortium units are listed with their consortia, not here.
        return organisation_list().exclude(kind=Organisation.Kind.UNIT)


@extend_schema(summary="Notifications sent to me")
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Notifications sent to the logged-in user, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [PortalUser]
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return notification_list_for(user=self.request.user)


@extend_schema(summary="Second factors of the people who need them (security administrator)")
class TwoFactorListView(generics.ListAPIView):
    """Who needs two factors, who has set up an authenticator, how many recovery codes are left."""

    serializer_class = TwoFactorStatusSerializer
    permission_classes = [Allows(can_manage_two_factor, business=False)]
    filter_backends: list = []

    def get_queryset(self):
        return otp.two_factor_list()


class TwoFactorResetView(APIView):
    """Remove a person's authenticator and recovery codes (audited ``auth.otp_reset``): they set
    up a new one at their next sign-in. Nobody resets their own."""

    permission_classes = [Allows(can_manage_two_factor, business=False)]

    @extend_schema(request=None, responses=TwoFactorResetSerializer)
    def post(self, request, pk):
        person = get_object_or_404(User, pk=pk)
        removed = otp.two_factor_reset(user=person, actor=request.user)
        return Response({"user": person.pk, "devices_removed": removed})


class RecoveryCodesView(APIView):
    """New recovery codes for my authenticator; the old ones stop working. Shown only in this
    answer."""

    permission_classes = [SignedIn]

    @extend_schema(request=None, responses={201: RecoveryCodesSerializer})
    def post(self, request):
        return Response({"codes": otp.recovery_codes_regenerate(user=request.user)}, status=201)
