from rest_framework import serializers

from portal.api.fields import ChoiceLabelField
from portal.models import Notification, Organisation, User
from portal.roles import HOME_AREA


class OrganisationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    region_name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "kind",
            "region_type",
            "region_name",
            "region_name_zh",
            "region_name_en",
            "name",
            "name_zh",
            "name_en",
        ]


class MeSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    role_label = ChoiceLabelField(source="get_role_display", read_only=True)
    home_area = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "title",
            "phone",
            "role",
            "role_label",
            "home_area",
            "organisation",
        ]

    def get_home_area(self, obj: User) -> str:
        return HOME_AREA.get(obj.role, "")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "status", "created_at", "sent_at"]


class TwoFactorStatusSerializer(serializers.ModelSerializer):
    role_label = ChoiceLabelField(source="get_role_display", read_only=True)
    enrolled = serializers.SerializerMethodField()
    codes_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "role",
            "role_label",
            "enrolled",
            "codes_left",
        ]

    def get_enrolled(self, obj) -> bool:
        return bool(obj.enrolled)


class TwoFactorResetSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    devices_removed = serializers.IntegerField()


class RecoveryCodesSerializer(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField())
