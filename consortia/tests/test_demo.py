"""The demo's plans: ``manage.py load_demo`` shows the plan workflow in every state, and can run
twice. Checked by ``tests/test_demo.py``, which loads the demo once for every app's checks."""

import datetime as dt
import io

from django.core.management import call_command

from consortia.demo import DEMO, PROGRAM_CODE
from consortia.models import Consortium, DeadlineExtension, PlanVersion
from consortia.selectors import consortium_list_visible_to, plan_deadline_for
from consortia.workflows import QUOTA_STATES, PlanState
from portal.models import User


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def demo_counts() -> dict[str, int]:
    return {
        "consortia": Consortium.objects.count(),
        "versions": PlanVersion.objects.count(),
        "extensions": DeadlineExtension.objects.count(),
        "users": User.objects.count(),
    }


def check_demo_plans(output: str) -> None:
    """After ``load_demo`` printed ``output``: every plan state, the pilots, quotas, accounts."""
    demo = Consortium.objects.filter(program__code=PROGRAM_CODE)
    assert set(demo.values_list("plan__state", flat=True)) >= set(PlanState.values)
    for spec in DEMO:
        assert spec.name in output

    # Eleven pilots in ten provinces report quarterly (one approved only in November, after
    # Q3's due date); no province goes over its quota, returned plans counted.
    pilots = demo.filter(plan__state=PlanState.APPROVED)
    assert pilots.count() == 11
    assert pilots.order_by().values("authority").distinct().count() == 10
    assert set(pilots.values_list("pilot_since", flat=True)) == {
        dt.date(2026, 3, 25),
        dt.date(2026, 11, 16),
    }
    quota = demo.first().program.recommendation_quota
    for authority in demo.values_list("authority", flat=True).distinct():
        in_quota = demo.filter(authority=authority, plan__state__in=QUOTA_STATES).count()
        assert in_quota <= quota
    approved = demo.get(name=DEMO[0].name)
    assert approved.plan.state == PlanState.APPROVED
    assert approved.lead_organisation is not None
    assert User.objects.filter(email=approved.contact_email).exists()  # lead account opened
    for username in ("lead", "member"):
        user = User.objects.get(username=username)
        assert approved in consortium_list_visible_to(user=user)

    beijing = User.objects.get(username="beijing").organisation
    deadline, extension = plan_deadline_for(program=approved.program, authority_id=beijing.pk)
    assert extension is not None
    assert deadline.isoformat() == "2026-12-31"

    # Reporting is populated too: Q1–Q3 reports in every review state.
    from reporting.periods.models import ProgressReport
    from reporting.periods.workflows import ReportState

    assert set(ProgressReport.objects.values_list("state", flat=True)) == set(ReportState.values)
