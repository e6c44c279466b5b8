from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets

from portal.models import Notification, Organisation
from portal.permissions import can_list_organisations
from portal.selectors import notification_list_for, organisation_list

from .permissions import Allows, PortalUser
from .serializers import MeSerializer, NotificationSerializer, OrganisationSerializer


class MeView(generics.RetrieveAPIView):
    """The logged-in user: role, organisation and home area."""

    serializer_class = MeSerializer
    permission_classes = [PortalUser]

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
