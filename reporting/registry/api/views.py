"""The "1+4+N" deliverables under ``/api/v1/``: serializers made from ``KINDS`` and three views.

``consortia/<consortium_pk>/deliverables/<kind>/`` lists and adds, ``…/<id>/`` reads, changes
and removes one, ``deliverables/<kind>/`` is the Ministry's catalogue over every consortium.
Tasks are given as reference-task numbers, the period as its code (when adding, it defaults to
the current period, as the page preselects it). A dataset's size reads as ``size_bytes``; it is
written either as ``size_bytes`` or as ``size_value`` + ``size_unit`` (MB, GB, TB; binary:
1 GB = 1,024 MB), converted by the same function as the page. The consortium is fetched with
``consortium_get_for`` (404 when the user may not see it); the services decide the rest.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from consortia.models import Consortium
from consortia.selectors import consortium_get_for
from portal.api.permissions import Allows, PortalUser
from portal.permissions import require
from reporting.periods.models import ReportingPeriod
from reporting.registry.kinds import (
    CHOICE_FILTERS,
    COMMON_FIELDS,
    KINDS,
    SIZE_ENTRY_FIELDS,
    SIZE_UNITS,
    DeliverableKind,
    kinds_for,
)
from reporting.registry.models import Dataset
from reporting.registry.permissions import can_browse_deliverables, can_edit_deliverables
from reporting.registry.selectors import deliverable_catalogue, deliverable_list_for_consortium
from reporting.registry.services import deliverable_delete, deliverable_save
from tasks_catalog import terms
from tasks_catalog.api.serializers import ReferenceTermField
from tasks_catalog.models import ReferenceTask

# --- serializers -----------------------------------------------------------------------------


class DeliverableConsortiumSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    province = serializers.SlugRelatedField(
        source="authority",
        slug_field="code",
        read_only=True,
        help_text="Code of the recommending authority (the province).",
    )

    class Meta:
        model = Consortium
        fields = ["id", "name", "program", "province"]
        read_only_fields = fields


class ProgramScopedSlugField(serializers.SlugRelatedField):
    """A code or number looked up in the program of the consortium in the context."""

    def get_queryset(self):
        program = self.context.get("program")
        queryset = super().get_queryset()
        return queryset.filter(program=program) if program is not None else queryset.none()


class PeriodCodeField(ProgramScopedSlugField):
    default_error_messages = {
        "does_not_exist": _("The consortium's program has no reporting period “{value}”."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ReportingPeriod.objects.all(), **kwargs)


class TaskNumberField(ProgramScopedSlugField):
    default_error_messages = {
        "does_not_exist": _("The consortium's program has no reference task {value}."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="number", queryset=ReferenceTask.objects.all(), **kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named enum in the schema.

    drf-spectacular names enums after the field (``stage``); two kinds with a ``stage`` of
    different choices would otherwise get hashed names and a warning.
    """

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        return schema


class KindField(NamedChoiceField):
    """``kind``: the kind of the deliverable, the same for every item of a serializer. It tells
    the kinds apart in the schema (the discriminator of ``Deliverable``)."""

    def __init__(self, *, key: str, enum_name: str):
        self.key = key
        super().__init__(enum_name=enum_name, choices=[(key, key)], read_only=True, source="*")

    def to_representation(self, value):
        return self.key


class KindFieldExtension(NamedChoiceFieldExtension):
    target_class = KindField


class AnyOfProxySerializer(PolymorphicProxySerializer):
    """A request body that is one kind's fields: ``anyOf`` (the kinds share fields, so a body
    may fit several; the kind in the path decides which is read)."""


class AnyOfProxySerializerExtension(PolymorphicProxySerializerExtension):
    target_class = AnyOfProxySerializer

    def map_serializer(self, auto_schema, direction):
        return {"anyOf": super().map_serializer(auto_schema, direction)["oneOf"]}


def _enum_name(model, field_name: str) -> str:
    return f"{model.__name__}{''.join(part.title() for part in field_name.split('_'))}Enum"


class DeliverableSerializer(serializers.ModelSerializer):
    """Fields every kind shares; ``_serializer_for`` adds the kind's own."""

    consortium = DeliverableConsortiumSerializer(read_only=True)
    period = PeriodCodeField(
        required=False,
        help_text="Code of a reporting period of the consortium's program; when adding, "
        "defaults to the current period (the one whose span contains today, else the latest "
        "opened).",
    )
    tasks = TaskNumberField(
        many=True,
        required=False,
        help_text="Numbers of the reference tasks it serves; only tasks the consortium "
        "selected in its plan. Required (at least one) when the program has a reference task "
        "table.",
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if list_name := terms.list_of(model_field):  # a reference list: data, not an enum
            kept = ("required", "allow_blank", "label", "default", "read_only")
            return ReferenceTermField, {
                "list_name": list_name,
                **{k: v for k, v in kwargs.items() if k in kept},
            }
        if issubclass(field_class, serializers.ChoiceField):
            field_class = NamedChoiceField
            kwargs["enum_name"] = _enum_name(self.Meta.model, field_name)
        return field_class, kwargs


def _size_fields() -> dict[str, serializers.Field]:
    """A dataset's size as a number and a unit, instead of ``size_bytes`` (write only)."""
    return {
        "size_value": serializers.DecimalField(
            max_digits=None,
            decimal_places=None,
            write_only=True,
            required=False,
            help_text="The size as a number of ``size_unit`` (decimals allowed), instead of "
            "``size_bytes``; rounded to the nearest byte. Not with ``size_bytes``.",
        ),
        "size_unit": serializers.ChoiceField(
            choices=list(reversed(SIZE_UNITS)),
            write_only=True,
            required=False,
            help_text="Unit of ``size_value``: binary multiples, 1 MB = 1,048,576 bytes, "
            "1 GB = 1,024 MB, 1 TB = 1,024 GB.",
        ),
    }


def _serializer_for(spec: DeliverableKind) -> type[DeliverableSerializer]:
    sized = "size_bytes" in spec.fields
    own = [*spec.fields, *(SIZE_ENTRY_FIELDS if sized else ())]
    meta = type(
        "Meta",
        (),
        {
            "model": spec.model,
            "fields": [
                "id",
                "kind",
                "consortium",
                *COMMON_FIELDS,
                *own,
                "created_by",
                "created_at",
                "updated_at",
            ],
            "read_only_fields": ["id", "created_at", "updated_at"],
            "extra_kwargs": {
                "size_bytes": {
                    "help_text": "Size in bytes (reads always give bytes); or write "
                    "``size_value`` and ``size_unit`` instead."
                }
            }
            if sized
            else {},
        },
    )
    return type(
        f"{spec.model.__name__}Serializer",
        (DeliverableSerializer,),
        {
            "Meta": meta,
            "__module__": __name__,
            "__doc__": f"A deliverable of the kind “{spec.key}”.",
            "kind": KindField(key=spec.key, enum_name=_enum_name(spec.model, "kind")),
            **(_size_fields() if sized else {}),
        },
    )


SERIALIZERS: dict[str, type[DeliverableSerializer]] = {
    key: _serializer_for(spec) for key, spec in KINDS.items()
}


def _any_deliverable(many: bool = False) -> PolymorphicProxySerializer:
    """For the schema: the body is the serializer of the ``kind`` in the path; ``kind`` in each
    item tells which (a discriminator, so exactly one branch fits)."""
    return PolymorphicProxySerializer(
        component_name="Deliverable",
        serializers=dict(SERIALIZERS),
        resource_type_field_name="kind",
        many=many,
    )


def _deliverable_request() -> AnyOfProxySerializer:
    return AnyOfProxySerializer(
        component_name="Deliverable",
        serializers=list(SERIALIZERS.values()),
        resource_type_field_name=None,
    )


# --- schema parameters -----------------------------------------------------------------------

KIND_PARAMETER = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=list(KINDS),
    description="Kind of deliverable; the body has that kind's fields.",
)
CONSORTIUM_PARAMETER = OpenApiParameter(
    "consortium_pk", int, OpenApiParameter.PATH, description="Id of the consortium."
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Id of the item.")


def _choice_filter_parameter(name: str) -> OpenApiParameter:
    kinds = [spec for spec in KINDS.values() if name in spec.filters]
    if list_name := terms.list_of(kinds[0].model._meta.get_field(name)):
        return OpenApiParameter(
            name,
            str,
            description=f"A code of the reference list “{list_name}” "
            f"(GET /api/v1/reference-terms/?list={list_name}); only for "
            f"{', '.join(spec.key for spec in kinds)}, ignored for the other kinds.",
        )
    values = sorted({value for spec in kinds for value, _label in spec.choices(name)})
    return OpenApiParameter(
        name,
        str,
        enum=values,
        description=f"Only for {', '.join(spec.key for spec in kinds)}; "
        "ignored for the other kinds.",
    )


CATALOGUE_PARAMETERS = [
    KIND_PARAMETER,
    OpenApiParameter("program", str, description="Program code, e.g. idfa-2026."),
    OpenApiParameter("period", str, description="Reporting period code, e.g. 2026-q1."),
    OpenApiParameter(
        "province", str, description="Code of the recommending authority, e.g. 110000."
    ),
    OpenApiParameter("search", str, description="Text the name contains."),
    *[_choice_filter_parameter(name) for name in CHOICE_FILTERS],
]


# --- views -----------------------------------------------------------------------------------


class KindMixin:
    def get_kind(self) -> str:
        kind = self.kwargs["kind"]
        if kind not in KINDS:
            raise NotFound()
        return kind

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no kind
            return SERIALIZERS["dataset"]
        return SERIALIZERS[self.get_kind()]


class ConsortiumDeliverableView(KindMixin, generics.GenericAPIView):
    """Base of ``consortia/<consortium_pk>/deliverables/<kind>/…``."""

    permission_classes = [PortalUser]
    filter_backends: list = []

    def get_consortium(self) -> Consortium:
        if not hasattr(self, "_consortium"):
            self._consortium = consortium_get_for(
                user=self.request.user, pk=self.kwargs["consortium_pk"]
            )
        return self._consortium

    def get_kind(self) -> str:
        if not hasattr(self, "_kind"):  # asked by the serializer, the queryset and the save
            kind = super().get_kind()
            if kind not in kinds_for(self.get_consortium().program):
                raise NotFound(
                    _("The consortium's program does not record this kind of deliverable.")
                )
            self._kind = kind
        return self._kind

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no consortium
            return Dataset.objects.none()
        return deliverable_list_for_consortium(
            user=self.request.user, consortium=self.get_consortium(), kind=self.get_kind()
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["program"] = self.get_consortium().program
        return context

    def save(self, data, instance=None):
        """The service's write, answered with the saved item as the list shows it."""
        saved = deliverable_save(
            actor=self.request.user,
            consortium=self.get_consortium(),
            kind=self.get_kind(),
            data=data,
            instance=instance,
        )
        return self.get_serializer(self.get_queryset().get(pk=saved.pk)).data

    def validated(self, instance=None) -> dict:
        """Refuse a user who may not write before looking at the body, then check its types."""
        require(can_edit_deliverables(self.request.user, self.get_consortium()))
        serializer = self.get_serializer(instance, data=self.request.data, partial=bool(instance))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class DeliverableListView(ConsortiumDeliverableView):
    @extend_schema(
        summary="A consortium's deliverables of one kind",
        parameters=[CONSORTIUM_PARAMETER, KIND_PARAMETER],
        responses=_any_deliverable(many=True),
    )
    def get(self, request, consortium_pk, kind):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Record a deliverable (consortium lead)",
        description="Tasks must be tasks the consortium selected in its plan (otherwise 400 with "
        "code ``task_not_selected``); the period is a code of the consortium's program and "
        "defaults to the current period. A dataset's size is ``size_bytes``, or ``size_value`` "
        "with ``size_unit`` (MB, GB or TB): a negative size is refused with code "
        "``size_negative``, more than 1,048,576 TB with ``size_too_large``, both ways at once "
        "with ``size_twice``, a number without its unit (or the reverse) with ``size_incomplete``; "
        "nothing is saved then.",
        parameters=[CONSORTIUM_PARAMETER, KIND_PARAMETER],
        request=_deliverable_request(),
        responses={201: _any_deliverable()},
    )
    def post(self, request, consortium_pk, kind):
        data = self.validated()
        return Response(self.save(data), status=status.HTTP_201_CREATED)


class DeliverableDetailView(ConsortiumDeliverableView):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["id"])

    @extend_schema(
        summary="One deliverable",
        parameters=[CONSORTIUM_PARAMETER, KIND_PARAMETER, ID_PARAMETER],
        responses=_any_deliverable(),
    )
    def get(self, request, consortium_pk, kind, id):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Change a deliverable (consortium lead); only the fields sent change",
        parameters=[CONSORTIUM_PARAMETER, KIND_PARAMETER, ID_PARAMETER],
        request=_deliverable_request(),
        responses=_any_deliverable(),
    )
    def patch(self, request, consortium_pk, kind, id):
        instance = self.get_object()
        data = self.validated(instance)
        return Response(self.save(data, instance=instance))

    @extend_schema(
        summary="Remove a deliverable (consortium lead)",
        parameters=[CONSORTIUM_PARAMETER, KIND_PARAMETER, ID_PARAMETER],
        request=None,
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, consortium_pk, kind, id):
        instance = self.get_object()
        deliverable_delete(actor=request.user, instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliverableCatalogueView(KindMixin, generics.GenericAPIView):
    """Every consortium's deliverables of one kind: Ministry staff."""

    permission_classes = [Allows(can_browse_deliverables)]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no kind
            return Dataset.objects.none()
        kind = self.get_kind()
        spec = KINDS[kind]
        filters = {}
        errors = {}
        for name in ("program", "period", "province", "search", *spec.filters):
            value = self.request.query_params.get(name, "").strip()
            if not value:
                continue
            if name in spec.filters and value not in dict(spec.choices(name)):
                errors[name] = [_("“%(value)s” is not a valid choice.") % {"value": value}]
            filters[name] = value
        if errors:
            raise DRFValidationError(errors)
        return deliverable_catalogue(user=self.request.user, kind=kind, filters=filters)

    @extend_schema(
        summary="Catalogue of one kind of deliverable across all consortia (Ministry)",
        parameters=CATALOGUE_PARAMETERS,
        responses=_any_deliverable(many=True),
    )
    def get(self, request, kind):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
