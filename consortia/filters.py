"""The consortia list's filters, search and sort: one definition for the page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation
from tasks_catalog.models import Program

from .models import Consortium
from .workflows import PlanState


class ConsortiumRowFilter(django_filters.FilterSet):
    """What every list of consortia filters on (the consortia list, the reports list): program,
    recommending authority and a search in the consortium's and its lead unit's names."""

    program = django_filters.ModelChoiceFilter(
        field_name="program",
        to_field_name="code",
        queryset=Program.objects.all(),
        label=_("Program"),
        help_text="Program code.",
    )
    authority = django_filters.ModelChoiceFilter(
        field_name="authority",
        to_field_name="code",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_AUTHORITY),
        label=_("Recommending authority"),
        help_text="Code of the recommending authority (e.g. 110000).",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text="Part of the consortium's name or of its lead unit's name.",
    )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(lead_unit_name__icontains=value))


class ConsortiumFilter(ConsortiumRowFilter):
    state = django_filters.ChoiceFilter(
        field_name="plan__state",
        choices=PlanState.choices,
        label=_("State"),
        help_text="State of the plan.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("program__code", "program"),
            ("authority__sort_order", "authority"),
            ("lead_unit_name", "lead_unit"),
            ("plan__state", "state"),
            ("plan__updated_at", "updated"),
            ("created_at", "created_at"),
        ),
        label=_("Sort by"),
        help_text="name, program, authority, lead_unit, state, updated or created_at; "
        "a leading minus sorts descending.",
    )

    class Meta:
        model = Consortium
        fields = ["program", "state", "authority", "search"]

    def filter_queryset(self, queryset):
        # A stable order whatever the column sorted by, so pages neither repeat nor skip rows.
        queryset = super().filter_queryset(queryset)
        order = list(queryset.query.order_by or queryset.model._meta.ordering)
        return queryset.order_by(*order, "pk") if "pk" not in order else queryset
