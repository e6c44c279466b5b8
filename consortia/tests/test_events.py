"""What a plan's changes announce (``portal/events.py``): every transition of the workflow table
and each change of the figures says FIGURES_CHANGED, which the reporting app's roll-ups hear."""

import pytest
from django.core.exceptions import PermissionDenied

from consortia import services
from consortia.workflows import WORKFLOW
from portal import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    calls = []
    monkeypatch.setattr(events, "_listeners", {})
    events.listen(events.FIGURES_CHANGED, lambda *, action, target, actor: calls.append(action))
    return calls


def test_the_plan_workflow_lists_the_event_it_announces():
    assert events.FIGURES_CHANGED in WORKFLOW.announces


def test_recommending_choosing_tasks_and_submitting_announce_changed_figures(
    heard, ready_plan, province_user, before_deadline
):
    services.plan_submit(actor=province_user, plan=ready_plan)
    assert heard[0] == "consortium.create"
    assert "plan.tasks" in heard
    assert heard[-1] == "plan.submit"


def test_a_refused_action_announces_nothing(heard, ready_plan, ministry_staff):
    heard.clear()
    with pytest.raises(PermissionDenied):
        services.plan_submit(actor=ministry_staff, plan=ready_plan)
    assert heard == []
