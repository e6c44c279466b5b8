"""portal/api/fields.py gives what the fields it replaces gave."""

import pytest
from django.utils.translation import override
from rest_framework import serializers

from consortia.api.serializers import ConsortiumSerializer, PlanSummarySerializer
from consortia.models import Consortium, Plan
from consortia.workflows import PlanState
from portal.api.fields import ChoiceLabelField
from tasks_catalog import terms


class Labels(serializers.Serializer):
    ours = ChoiceLabelField(source="get_state_display", read_only=True)
    drf = serializers.CharField(source="get_state_display", read_only=True)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_choice_label_is_the_model_s_display_value_in_the_active_language(language):
    plans = [Plan(state=state) for state in [*PlanState.values, "not-a-state", ""]]
    with override(language):
        rows = Labels(plans, many=True).data
        assert [row["ours"] for row in rows] == [row["drf"] for row in rows]
        assert [row["ours"] for row in rows] == [p.get_state_display() for p in plans]
        # A reference list's labels (choices read from the database).
        codes = [code for code, _name in terms.all_choices(terms.LEAD_UNIT_KIND)] + ["x"]
        consortia = [Consortium(lead_unit_kind=code) for code in codes]
        labels = [
            ConsortiumSerializer().fields["lead_unit_kind_label"].get_attribute(c)
            for c in consortia
        ]
        assert labels == [c.get_lead_unit_kind_display() for c in consortia]
        field = PlanSummarySerializer().fields["state_label"]
        assert [field.get_attribute(p) for p in plans] == [p.get_state_display() for p in plans]
