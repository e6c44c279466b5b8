"""The dashboard's final view: the program at its close, read from the final summaries, the
published evaluations, the promoted cases and the registry, as each user may see them."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from reporting.evaluation import services
from reporting.evaluation.scoring import evaluation_result
from reporting.evaluation.tests.test_case_selection import (  # noqa: F401 (fixtures)
    CASES,
    case_ids,
    evaluation,
    publish,
)
from reporting.final import services as final_services
from reporting.final.models import FinalReport
from reporting.final.tests.conftest import IN_FINAL
from reporting.insights.rollups import rollup_compute
from reporting.registry.kinds import kinds_for
from reporting.registry.tests.test_deliverables import dataset_json

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboards/final/"


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


@pytest.fixture
def closed(evaluation, ministry_staff, on_date):  # noqa: F811
    """The pilot's final summary accepted; its evaluation published with one case promoted."""
    report = FinalReport.objects.get(consortium=evaluation.consortium)
    with on_date(IN_FINAL):
        final_services.final_accept(actor=ministry_staff, report=report, comment="同意。")
    services.case_select(
        actor=ministry_staff,
        evaluation=evaluation,
        case_id=case_ids(evaluation)[0],
        selected=True,
        reason="可复制推广。",
    )
    publish(evaluation, ministry_staff)
    return evaluation


def test_the_ministry_reads_the_program_at_its_close(client, closed, ministry_staff):
    client.force_login(ministry_staff)
    page = client.get(reverse("closing:final"), {"program": "idfa-2026"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "先行先试工作总结" in html
    assert CASES[0][0] in html  # the promoted case
    assert CASES[1][0] not in html  # not promoted
    assert "形成“数据+模型+场景”协同推进路径。" in html  # the paths and mechanisms collected
    total = evaluation_result(closed).total
    assert str(total) in html
    english = client.get(reverse("closing:final"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The program at its close" in english
    body = api(ministry_staff).get(URL, {"program": "idfa-2026"}).json()
    assert body["pilots"] == 1
    assert body["final_summaries"]["accepted"] == 1
    assert body["published"] == 1
    assert body["ranking"][0]["total"] == str(total)  # the same number as the evaluation's
    assert [c["title"] for c in body["cases"]] == [CASES[0][0]]
    # Deliverables by kind: the pilots' own, counted in one query.
    with translation.override("en"):
        recorded = {
            str(spec.label): spec.model.objects.filter(consortium=closed.consortium).count()
            for spec in kinds_for(closed.consortium.program).values()
        }
    assert body["deliverables"] == recorded


def test_a_province_sees_its_own_pilots_only_and_a_lead_nothing(
    client, closed, pilot, other_province_user
):
    added = api(pilot.lead).post(
        f"/api/v1/consortia/{pilot.consortium.pk}/deliverables/dataset/",
        dataset_json(),
        format="json",
    )
    assert added.status_code == 201, added.content
    own = api(pilot.authority).get(URL, {"program": "idfa-2026"}).json()
    assert own["pilots"] == 1
    other = api(other_province_user).get(URL, {"program": "idfa-2026"}).json()
    assert (other["pilots"], other["published"], other["cases"]) == (0, 0, [])
    assert set(other["deliverables"].values()) == {0}
    assert own["deliverables"]["Datasets"] == 1  # the pilot's dataset, counted in one query
    assert api(pilot.lead).get(URL).status_code == 403
    client.force_login(pilot.lead)
    assert client.get(reverse("closing:final")).status_code == 403


def test_an_unknown_program_is_a_404(ministry_staff):
    assert api(ministry_staff).get(URL, {"program": "no-such-program"}).status_code == 404


def test_the_closing_document_carries_the_figures_of_the_final_view(
    client, closed, ministry_staff, pilot, django_capture_on_commit_callbacks
):
    from portal.pdf import pdf_text
    from reporting.closing.models import ClosingDocument

    client.force_login(ministry_staff)
    with django_capture_on_commit_callbacks(execute=True):  # dispatched at commit, run eagerly
        response = client.post(reverse("closing:closing-request"), {"program": "idfa-2026"})
    assert response.status_code == 302
    document = ClosingDocument.objects.get()
    assert document.status == "done", document.error
    page = client.get(reverse("closing:final"), {"program": "idfa-2026"}).content.decode()
    assert reverse("closing:closing-download", args=[document.pk]) in page
    pdf = b"".join(client.get(reverse("closing:closing-download", args=[document.pk])))
    text = pdf_text(pdf).replace("\n", "")
    assert "先行先试工作总结报告" in text
    assert CASES[0][0] in text
    assert str(evaluation_result(closed).total) in text  # the same total as the final view
    assert "良好" in text or "优秀" in text or "合格" in text
    assert pilot.consortium.name in text


def test_only_the_ministry_generates_and_downloads_the_closing_document(
    client, closed, ministry_staff, pilot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api(ministry_staff).post(
            URL + "closing/", {"program": "idfa-2026"}, format="json"
        )
    assert created.status_code == 202
    document = created.json()
    for user in (pilot.authority, pilot.lead):
        assert api(user).post(URL + "closing/", {"program": "idfa-2026"}).status_code == 403
        client.force_login(user)
        assert (
            client.post(reverse("closing:closing-request"), {"program": "idfa-2026"}).status_code
            == 403
        )
    assert api(pilot.authority).get(URL + "closing/").json() == []
    download = f"{URL}closing/{document['id']}/download/"
    assert api(pilot.authority).get(download).status_code == 404
    assert api(ministry_staff).get(download).status_code == 200


def test_every_table_downloads_as_one_workbook_in_the_users_scope(
    client, closed, ministry_staff, other_province_user
):
    import io

    from openpyxl import load_workbook

    client.force_login(ministry_staff)
    response = client.get(reverse("closing:closing-export"), {"program": "idfa-2026"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "总览" in book.sheetnames
    ranking = book["已发布评估的等级"]
    assert ranking.cell(2, 4).value == float(evaluation_result(closed).total)
    cases = [row[0].value for row in book["遴选推广的典型案例"].iter_rows(min_row=2)]
    assert cases == [CASES[0][0]]
    by_api = api(other_province_user, "zh-hans").get(URL + "export/", {"program": "idfa-2026"})
    assert by_api.status_code == 200
    other = load_workbook(io.BytesIO(by_api.content))
    assert other["总览"].cell(2, 2).value == 0  # another province: none of the pilots


def test_the_figures_are_cached_and_follow_every_audited_change(client, closed, pilot, settings):
    """Once the program has roll-ups, the page's figures and the API's are cached; a change
    (here a dataset recorded by the lead, audited) shows at once, page and API alike."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    rollup_compute(program=pilot.consortium.program, today=dt.date(2027, 1, 10))
    client.force_login(pilot.authority)
    url = f"{reverse('closing:final')}?program=idfa-2026"

    def datasets_shown() -> str:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        row = html.split('<th scope="row">Datasets</th>', 1)[1]
        return row.split("</td>", 1)[0].rsplit(">", 1)[1]

    assert datasets_shown() == "0"
    with CaptureQueriesContext(connection) as cold:
        client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with CaptureQueriesContext(connection) as warm:
        client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert len(warm) < len(cold) - 5  # the figures came from the cache
    assert (
        api(pilot.authority).get(URL, {"program": "idfa-2026"}).json()["deliverables"]["Datasets"]
        == 0
    )
    added = api(pilot.lead).post(
        f"/api/v1/consortia/{pilot.consortium.pk}/deliverables/dataset/",
        dataset_json(),
        format="json",
    )
    assert added.status_code == 201, added.content
    assert datasets_shown() == "1"
    assert (
        api(pilot.authority).get(URL, {"program": "idfa-2026"}).json()["deliverables"]["Datasets"]
        == 1
    )
