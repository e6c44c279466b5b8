"""Read-only catalog API: reference data changes only in the Ministry administrator's admin."""

import django_filters
from rest_framework import viewsets

from portal.api.permissions import Allows
from portal.permissions import can_read_catalog
from tasks_catalog.models import ReferenceTask, ReferenceTerm
from tasks_catalog.selectors import program_list, reference_task_list

from .serializers import ProgramSerializer, ReferenceTaskSerializer, ReferenceTermSerializer


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs, with their implementing-entity types and calendar."""

    serializer_class = ProgramSerializer
    permission_classes = [Allows(can_read_catalog)]
    lookup_field = "code"
    filterset_fields = ["cadence", "is_active"]
    ordering_fields = ["start_date", "code"]

    def get_queryset(self):
        return program_list(active_only=False).prefetch_related("tasks")


class ReferenceTaskFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__code")
    category = django_filters.NumberFilter(field_name="category__number")

    class Meta:
        model = ReferenceTask
        fields = ["program", "category", "mandatory"]


class ReferenceTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The reference task tables (附件2). Filter with ``?program=idfa-2026&mandatory=true``."""

    serializer_class = ReferenceTaskSerializer
    permission_classes = [Allows(can_read_catalog)]
    filterset_class = ReferenceTaskFilter
    search_fields = ["title_zh", "title_en"]
    ordering_fields = ["number"]

    def get_queryset(self):
        return reference_task_list()


class ReferenceTermViewSet(viewsets.ReadOnlyModelViewSet):
    """The reference lists (industries, key stages, kinds of lead unit) whose codes forms and
    the API accept. Filter with ``?list=industry``; retired entries have ``is_active`` false."""

    serializer_class = ReferenceTermSerializer
    permission_classes = [Allows(can_read_catalog)]
    filterset_fields = ["list", "is_active"]
    pagination_class = None

    def get_queryset(self):
        return ReferenceTerm.objects.order_by("list", "sort_order", "code")
