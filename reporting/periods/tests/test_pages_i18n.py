"""Report and deliverable pages show only the chosen language (user-entered content aside)."""

import pytest
from django.urls import reverse

from consortia.tests.test_pages_i18n import user_content
from portal.tests.test_i18n import check_language
from reporting.periods import services
from reporting.registry.services import deliverable_save

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_reporting_pages_in_one_language(client, pilot, on_date, ministry_staff, language):
    consortium = pilot.consortium
    with on_date("2026-07-01"):
        services.report_start(actor=pilot.lead, consortium=consortium, period=pilot.q2)
        deliverable_save(
            actor=pilot.lead,
            consortium=consortium,
            kind="dataset",
            data={
                "name": "DATASET-1",
                "period": pilot.q2,
                "industry": "steel",
                "stage": "production",
                "modality": "image",
                "records": 10,
                "size_bytes": 2048,
                "tasks": [consortium.plan.selections.get(task__number=12).task],
            },
        )
        pages = [
            (pilot.lead, reverse("reporting:report-index")),
            (pilot.lead, reverse("reporting:report-detail", args=[consortium.pk, "2026-q2"])),
            (pilot.lead, reverse("reporting:report-detail", args=[consortium.pk, "2026-q3"])),
            (pilot.lead, reverse("reporting:deliverable-list", args=[consortium.pk, "dataset"])),
            (pilot.lead, reverse("reporting:deliverable-list", args=[consortium.pk, "standard"])),
            (pilot.lead, reverse("portal:home-consortium")),
            (ministry_staff, reverse("reporting:deliverable-catalogue", args=["dataset"])),
            (ministry_staff, reverse("reporting:report-detail", args=[consortium.pk, "2026-q2"])),
        ]
        strip = [
            *user_content(consortium),
            pilot.lead.display_name,
            ministry_staff.display_name,
            pilot.lead.username,
            consortium.lead_organisation.name_zh,
            "DATASET-1",
        ]
        for user, url in pages:
            client.force_login(user)
            client.post(reverse("set_language"), {"language": language, "next": "/"})
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for value in sorted(set(strip), key=len, reverse=True):
                html = html.replace(value, "")
            assert not check_language(html, language, user.username), (
                url,
                check_language(html, language, ""),
            )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dashboard_pages_in_one_language(
    client, pilot, on_date, ministry_staff, province_user, language
):
    import datetime as dt

    from reporting.insights.rollups import rollup_execute, rollup_request
    from reporting.periods.models import ReportingPeriod

    consortium = pilot.consortium
    with on_date("2026-07-01"):
        report = services.report_start(actor=pilot.lead, consortium=consortium, period=pilot.q2)
        entries = {
            e.task.number: {"status": "at_risk", "percent": 40, "work_done": "WORK-DONE"}
            for e in report.entries.select_related("task")
        }
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, entries=entries
        )
        report.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=report)
    program = consortium.program
    run = rollup_request(program_id=program.pk, reason="manual")
    rollup_execute(run_id=run.pk, today=dt.date(2026, 7, 20))
    assert ReportingPeriod.objects.filter(program=program, code="2026-q2").exists()
    query = "?period=2026-q2"
    pages = [
        reverse("dashboards:overview") + query,
        reverse("dashboards:heatmap") + query,
        reverse("dashboards:tasks") + query,
        reverse("dashboards:report-rows") + query + "&flag=handed_in",
        reverse("dashboards:entry-rows") + query + "&status=at_risk",
        reverse("dashboards:summary-list"),
        reverse("dashboards:export-list"),
    ]
    strip = [
        *user_content(consortium),
        ministry_staff.display_name,
        province_user.display_name,
        "WORK-DONE",
    ]
    for user in (ministry_staff, province_user):
        client.force_login(user)
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for value in sorted(set(strip), key=len, reverse=True):
                html = html.replace(value, "")
            assert not check_language(html, language, user.username), (
                url,
                check_language(html, language, ""),
            )
