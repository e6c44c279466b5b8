"""The dashboards count the kinds a program records: the Model-Data Resonance action's figures
are datasets, scenarios and key industry models, not 64号's standards or data products."""

import datetime as dt

import pytest

from reporting.insights.dashboards import deliverable_figures, scope_for
from reporting.insights.rollups import rollup_compute
from reporting.registry.tests.test_key_industry_models import _dataset, mdr_pilot, period  # noqa: F401

pytestmark = pytest.mark.django_db


def test_mdr_figures_count_its_own_kinds(mdr_pilot, period, ministry_staff):  # noqa: F811
    _dataset(mdr_pilot, period)
    rollup_compute(program=mdr_pilot.consortium.program, today=dt.date(2026, 9, 1))
    figures = deliverable_figures(scope_for(user=ministry_staff, params={"program": "mdr-2026"}))
    assert list(figures) == ["dataset", "scenario", "industry_model"]
    assert figures["dataset"]["count"] == 1
