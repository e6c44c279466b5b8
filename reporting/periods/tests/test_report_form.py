"""The lead's report form never loses work: submit what is on the screen after a confirmation,
autosave with the revision check, uploads that keep the text, "nothing to report" clearing,
navigation and errors, the comparison with the previous period, locked reports. Pages and API."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from consortia.samples import blank_pdf
from portal.models import AuditEntry
from portal.tests.factories import UserFactory
from reporting.conftest import make_pilot
from reporting.periods import services
from reporting.periods.models import ProgressReport
from reporting.periods.workflows import ReportState

pytestmark = pytest.mark.django_db

TEXT = ("work_done", "next_plan", "problems")


def cleared(entry) -> bool:
    """What "nothing to report" leaves of an entry whose texts were carried over: nothing."""
    return (entry.status, entry.percent, entry.work_done, entry.next_plan, entry.problems) == (
        "",
        None,
        "",
        "",
        "",
    )


def q1_reported(pilot, on_date):
    """Q1 submitted with the same text for every task; Q2 started (pre-filled from Q1)."""
    with on_date("2026-04-10"):
        q1 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
        services.report_update(
            actor=pilot.lead,
            report=q1,
            revision=q1.revision,
            data={"summary": "一季度：联合体完成组建。", "requests": "请协调数据标准立项。"},
            entries={
                e.task.number: {
                    "status": "on_track",
                    "percent": 25,
                    "work_done": f"一季度任务{e.task.number}启动。",
                    "next_plan": "二季度继续推进。",
                    "problems": "缺少标注人员。",
                }
                for e in q1.entries.select_related("task")
            },
        )
        q1.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=q1)
    with on_date("2026-07-02"):
        q2 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
    return q1, q2


def form_data(report, **changes) -> dict:
    """The whole form as the page posts it: every field as it stands, plus ``changes``."""
    data = {
        "revision": report.revision,
        **{f: getattr(report, f) for f in ("summary", "key_figures", "problems", "requests")},
    }
    for e in report.entries.select_related("task"):
        n = e.task.number
        data.update(
            {
                f"t{n}_status": e.status,
                f"t{n}_percent": "" if e.percent is None else e.percent,
                f"t{n}_work_done": e.work_done,
                f"t{n}_next_plan": e.next_plan,
                f"t{n}_problems": e.problems,
            }
        )
        if e.nothing_to_report:
            data[f"t{n}_nothing_to_report"] = "on"
    data.update(changes)
    return data


def urls(pilot, period="2026-q2"):
    args = [pilot.consortium.pk, period]
    return {
        "detail": reverse("reporting:report-detail", args=args),
        "submit": reverse("reporting:report-submit", args=args),
        "compare": reverse("reporting:report-compare", args=args),
        "api": f"/api/v1/consortia/{pilot.consortium.pk}/reports/{period}/",
    }


@pytest.fixture
def outsiders(pilot, province_user, ministry_staff, other_province_user):
    """A member of the consortium, another province, and the lead of another consortium."""
    member = UserFactory(role="consortium_member", organisation=pilot.consortium.lead_organisation)
    assign_perm("consortia.view_consortium", member, pilot.consortium)
    other = make_pilot(province_user, ministry_staff, name="另一个联合体")
    other_lead = UserFactory(
        role="consortium_lead", organisation=other.consortium.lead_organisation
    )
    assign_perm("consortia.view_consortium", other_lead, other.consortium)
    remove_perm("consortia.view_consortium", pilot.lead, other.consortium)
    return {"member": member, "other_province": other_province_user, "other_lead": other_lead}


# --- Submitting what is on the screen --------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_submit_saves_the_typed_text_and_the_confirmation_flags_tasks_unchanged_from_last_period(
    pilot, on_date, client, language
):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    data = form_data(
        q2,
        summary="二季度：可信互联平台一期上线。",
        t4_work_done="二季度建成行业数据资源库一期。",
        t4_next_plan="三季度扩充数据资源。",
        t4_problems="",
        intent="submit",
    )
    with on_date("2026-07-05"):
        response = client.post(u["detail"], data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
        assert response["Location"] == u["submit"]
        page = client.get(u["submit"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    q2.refresh_from_db()
    assert q2.state == ReportState.DRAFT
    assert q2.summary == "二季度：可信互联平台一期上线。"
    # What will be sent: the typed text, every field of every task, the report-level fields.
    assert "二季度建成行业数据资源库一期。" in page
    assert "三季度扩充数据资源。" in page
    assert "请协调数据标准立项。" in page
    assert "缺少标注人员。" in page
    flagged = set(re.findall(r'data-task="(\d+)" data-unchanged="true"', page))
    assert flagged == {str(n) for n in range(1, 24)} - {"4"}
    assert ("与上期相同" if language == "zh-hans" else "same as the previous period") in page
    assert ("确认提交" if language == "zh-hans" else "Confirm and submit") in page
    with on_date("2026-07-05"):
        response = client.post(u["submit"], {"revision": q2.revision})
    assert response.status_code == 302
    q2.refresh_from_db()
    assert q2.state == ReportState.SUBMITTED
    assert q2.entries.get(task__number=4).work_done == "二季度建成行业数据资源库一期。"
    assert AuditEntry.objects.filter(action="report.submit", object_id=str(q2.pk)).count() == 1


def test_confirming_refuses_a_revision_saved_after_the_review(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    reviewed = q2.revision
    with on_date("2026-07-05"):
        # Someone saves in another tab after the confirmation page was shown.
        services.report_update(
            actor=pilot.lead, report=q2, revision=reviewed, data={"summary": "另一处修改"}
        )
        response = client.post(u["submit"], {"revision": reviewed}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed after you reviewed it" in html
    assert "另一处修改" in html  # the page now shows the current version to review
    assert ProgressReport.objects.get(pk=q2.pk).state == ReportState.DRAFT


def test_submit_with_unanswered_tasks_saves_and_links_each_to_its_field(pilot, on_date, client):
    with on_date("2026-07-02"):
        q2 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
    u = urls(pilot)
    client.force_login(pilot.lead)
    data = form_data(q2, summary="已填写的概述", intent="submit")
    for n in range(1, 24):
        data[f"t{n}_status"] = "on_track"
    data["t12_status"] = ""
    with on_date("2026-07-05"):
        response = client.post(u["detail"], data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_t12_status"' in html
    assert "22 / 23 answered" in html
    assert ProgressReport.objects.get(pk=q2.pk).summary == "已填写的概述"  # saved all the same
    # The revision on the page is the new one: saving again works.
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    data.update(revision=revision, t12_nothing_to_report="on", intent="save")
    with on_date("2026-07-05"):
        assert client.post(u["detail"], data).status_code == 302


def test_api_submit_saves_the_payload_and_submits_that_revision_or_nothing(
    pilot, on_date, api_client, outsiders
):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    entries = {str(n): {"status": "completed", "percent": 100} for n in range(1, 24)}
    payload = {"revision": q2.revision, "summary": "二季度总结", "entries": entries}
    with on_date("2026-07-05"):
        for who in ("member", "other_province", "other_lead"):
            api_client.force_authenticate(outsiders[who])
            refused = api_client.post(u["api"] + "submit/", payload, format="json")
            assert refused.status_code == (403 if who == "member" else 404), who
        api_client.force_authenticate(pilot.lead)
        assert api_client.post(u["api"] + "submit/", {}, format="json").status_code == 400
        stale = api_client.post(
            u["api"] + "submit/", {**payload, "revision": q2.revision - 1}, format="json"
        )
        assert stale.status_code == 400
        assert stale.json()["code"] == "stale"
        unanswered = {**entries, "5": {"status": ""}}
        blocked = api_client.post(
            u["api"] + "submit/", {**payload, "entries": unanswered}, format="json"
        )
        assert blocked.status_code == 400
        assert blocked.json()["code"] == "unanswered"
        assert ProgressReport.objects.get(pk=q2.pk).summary != "二季度总结"  # nothing half-saved
        body = api_client.post(u["api"] + "submit/", payload, format="json").json()
    assert body["state"] == "submitted"
    assert body["summary"] == "二季度总结"
    assert {e["status"] for e in body["entries"]} == {"completed"}


def test_api_preview_lists_unchanged_tasks_and_what_blocks_submission(
    pilot, on_date, api_client, outsiders
):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    with on_date("2026-07-05"):
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            entries={4: {"work_done": "二季度新进展", "next_plan": "新计划", "problems": ""}},
        )
        api_client.force_authenticate(pilot.lead)
        body = api_client.get(u["api"] + "preview/", HTTP_ACCEPT_LANGUAGE="en").json()
        for who in ("member", "other_province", "other_lead"):
            api_client.force_authenticate(outsiders[who])
            code = api_client.get(u["api"] + "preview/").status_code
            assert code == (403 if who == "member" else 404), who
    assert body["previous"]["period"] == "2026-q1"
    assert body["can_submit"] is True
    assert body["answered"] == body["total"] == 23
    assert 4 not in body["unchanged_tasks"]
    assert len(body["unchanged_tasks"]) == 22
    task5 = next(t for t in body["tasks"] if t["task"] == 5)
    assert task5["unchanged"] == list(TEXT)
    assert set(body["overall_unchanged"]) == {"summary", "requests"}
    assert body["report"]["revision"] == body["revision"]


def test_the_submit_button_of_an_old_page_leads_to_the_confirmation(pilot, on_date, client):
    _q1, _q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    action = reverse("reporting:report-action", args=[pilot.consortium.pk, "2026-q2", "submit"])
    with on_date("2026-07-05"):
        response = client.post(action)
    assert response.status_code == 302
    assert response["Location"] == u["submit"]
    assert ProgressReport.objects.get(period=pilot.q2).state == ReportState.DRAFT


# --- Autosave, uploads, concurrent edits ----------------------------------------------------------


def test_autosave_carries_the_revision_and_never_overwrites_a_newer_save(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    json = {"HTTP_ACCEPT": "application/json", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    with on_date("2026-07-05"):
        saved = client.post(
            u["detail"], form_data(q2, summary="自动保存", intent="autosave"), **json
        )
        body = saved.json()
        assert saved.status_code == 200
        assert body["revision"] == q2.revision + 1
        assert "已自动保存" in body["message"]
        # Nothing changed: the revision stays (an idle autosave never makes another save stale).
        again = client.post(
            u["detail"],
            form_data(ProgressReport.objects.get(pk=q2.pk), intent="autosave"),
            **json,
        )
        assert again.json()["revision"] == body["revision"]
        stale = client.post(u["detail"], form_data(q2, summary="旧页面", intent="autosave"), **json)
        assert stale.status_code == 409
        assert stale.json()["code"] == "stale"
        assert "未保存" in stale.json()["message"]
        bad = client.post(
            u["detail"],
            form_data(ProgressReport.objects.get(pk=q2.pk), t4_percent="150", intent="autosave"),
            **json,
        )
        assert bad.status_code == 400
    assert ProgressReport.objects.get(pk=q2.pk).summary == "自动保存"
    edits = AuditEntry.objects.filter(action="report.edit", object_id=str(q2.pk))
    assert edits.count() == 1
    assert edits.get().data.get("autosave") is True


def test_autosave_is_refused_to_the_wrong_people(pilot, on_date, client, outsiders):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    json = {"HTTP_ACCEPT": "application/json"}
    with on_date("2026-07-05"):
        for who in ("member", "other_province", "other_lead"):
            client.force_login(outsiders[who])
            response = client.post(
                u["detail"], form_data(q2, summary="越权", intent="autosave"), **json
            )
            assert response.status_code == (403 if who == "member" else 404), who
    assert ProgressReport.objects.get(pk=q2.pk).summary == "一季度：联合体完成组建。"


def test_uploading_evidence_saves_the_typed_text_with_it(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    data = form_data(q2, t4_work_done="上传前输入的文字", intent="upload-4")
    data["t4_file"] = SimpleUploadedFile("证明.pdf", blank_pdf(1), content_type="application/pdf")
    with on_date("2026-07-05"):
        response = client.post(u["detail"], data)
    assert response.status_code == 302
    assert response["Location"].endswith("#task-4")
    entry = ProgressReport.objects.get(pk=q2.pk).entries.get(task__number=4)
    assert entry.work_done == "上传前输入的文字"
    assert [e.original_name for e in entry.evidence.all()] == ["证明.pdf"]


def test_a_bad_evidence_file_saves_nothing_and_keeps_the_text_on_the_page(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    data = form_data(q2, t4_work_done="不能丢的文字", intent="upload-4")
    data["t4_file"] = SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)
    with on_date("2026-07-05"):
        response = client.post(u["detail"], data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "不能丢的文字" in html
    assert 'href="#id_t4_file"' in html
    assert "Evidence must be a PDF" in html
    entry = ProgressReport.objects.get(pk=q2.pk).entries.get(task__number=4)
    assert entry.work_done == "一季度任务4启动。"
    assert entry.evidence.count() == 0


def test_field_errors_are_listed_at_the_top_with_links(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    client.force_login(pilot.lead)
    with on_date("2026-07-05"):
        response = client.post(
            urls(pilot)["detail"], form_data(q2, t7_percent="150"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    html = response.content.decode()
    top = html.split('data-testid="form-errors"')[1].split("</div>")[0]
    assert 'href="#id_t7_percent"' in top
    assert "任务7：" in top
    # Each task carried over unchanged says so beside its title, already while editing.
    assert 'data-testid="unchanged-5"' in html
    assert "与上期相同" in html


# The loop the report page had before ``forms.fields_html`` wrote it in Python.
FIELDS_LOOP = (
    '{% for field in fields %}<p{% if field.widget_type == "checkbox" %} class="check"{% endif %}>'
    '{% if field.widget_type == "checkbox" %}{{ field }} <label for="{{ field.id_for_label }}">'
    '{{ field.label }}</label>{% else %}<label for="{{ field.id_for_label }}">{{ field.label }}'
    '</label>{{ field }}{% endif %}{% if field.help_text %}<span class="helptext">'
    "{{ field.help_text }}</span>{% endif %}{% if field.errors %}{{ field.errors }}{% endif %}"
    "</p>{% endfor %}"
)


# The tasks' loop the report page had before ``forms.task_html`` wrote each task in Python.
TASKS_LOOP = (
    "{% load i18n %}"
    + """{% for row in group.rows %}{% with n=row.entry.task.number %}
    <section class="task-entry" id="task-{{ n }}" data-task="{{ n }}" aria-labelledby="task-{{ n }}-title">
      <h3 id="task-{{ n }}-title">{{ n }}. {{ row.entry.task.title }} <span class="badge answered-badge {% if row.answered %}badge-ok{% else %}badge-missing{% endif %}" data-answered-badge>{% if row.answered %}{% translate "Answered" %}{% else %}{% translate "Not answered" %}{% endif %}</span>{% if row.unchanged %} <span class="badge badge-same" data-testid="unchanged-{{ n }}">{% translate "same as the previous period" %}</span>{% endif %}</h3>
      {{ row.fields_html }}
      <div class="evidence">
        <p class="evidence-files"><span class="evidence-label">{% translate "Evidence" %}</span> {% for f in row.entry.evidence.all %}<a href="{% url 'reporting:evidence-download' f.pk %}">{{ f.original_name }}</a>{% if not forloop.last %} · {% endif %}{% empty %}—{% endfor %}</p>
        <p class="upload"><label for="{{ row.file.id_for_label }}">{{ row.file.label }}</label>{{ row.file }}<span class="helptext">{{ row.file.help_text }}</span><span class="helptext">{% translate "The text on this page is saved with the file." %}</span>{% if row.file.errors %}{{ row.file.errors }}{% endif %}
        <button type="submit" name="intent" value="upload-{{ n }}" class="btn btn-secondary" data-testid="upload-{{ n }}">{% translate "Upload" %}</button></p>
      </div>
    </section>
    {% endwith %}{% endfor %}"""
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_task_is_written_as_the_template_loop_wrote_it(pilot, on_date, language):
    from django.template import Context, Template
    from django.utils.translation import override

    from reporting.periods.comparison import report_entries
    from reporting.periods.forms import ReportForm
    from reporting.periods.models import Evidence

    _q1, q2 = q1_reported(pilot, on_date)
    entries = report_entries(q2)
    for i, name in enumerate(["说明.pdf", 'a "quoted" <name> & more.pdf']):
        Evidence.objects.create(
            entry=entries[0],
            file=f"x/{i}.pdf",
            original_name=name,
            sha256="0" * 64,
            size=1,
            uploaded_by=pilot.lead,
        )
    entries = report_entries(q2)  # with their evidence
    data = form_data(q2, t7_percent="150", t5_status="nope")
    loop = Template(TASKS_LOOP)
    with override(language):
        for form in (ReportForm(entries=entries), ReportForm(data, entries=entries)):
            if form.is_bound:
                form.is_valid()
                form.add_error("t6_file", "Not a PDF & <not> allowed")
            form.rows[1]["unchanged"] = ["work_done"]
            for group in form.groups():
                expected = loop.render(Context({"group": group}))
                assert "".join(row["html"]() for row in group["rows"]) == expected
        html = "".join(row["html"]() for row in form.rows)
        assert "badge-same" in html
        assert "errorlist" in html
        assert "&lt;name&gt;" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_task_s_fields_are_written_as_the_template_loop_wrote_them(pilot, on_date, language):
    from django.template import Context, Template
    from django.utils.translation import override

    from reporting.periods.comparison import report_entries
    from reporting.periods.forms import ReportForm, fields_html

    _q1, q2 = q1_reported(pilot, on_date)
    entries = report_entries(q2)
    data = form_data(q2, t7_percent="150", t5_status="nope", t6_nothing_to_report="on")
    data["t8_work_done"] = 'quote " and <tag> & amp'
    loop = Template(FIELDS_LOOP)
    with override(language):
        for form in (ReportForm(entries=entries), ReportForm(data, entries=entries)):
            form.is_valid()
            for row in form.rows:
                expected = loop.render(Context({"fields": row["fields"]}))
                assert row["fields_html"]() == fields_html(row["fields"]) == expected
        assert any("errorlist" in fields_html(row["fields"]) for row in form.rows)


def test_the_history_shows_a_run_of_saves_by_one_person_once_within_its_last_200_entries(
    pilot, on_date, ministry_staff
):
    from portal.selectors import audit_list_for_object
    from portal.services import audit_record
    from reporting.periods.views import _collapse_edits, _history

    _q1, q2 = q1_reported(pilot, on_date)
    pattern = ["report.edit"] * 3 + ["report.evidence"] + ["report.edit"] * 2
    for i in range(60):  # 360 entries and more: beyond the 200 read
        actor = pilot.lead if i % 3 else ministry_staff
        for action in pattern:
            audit_record(actor=actor, action=action, target=q2)
        audit_record(actor=None, action="report.edit", target=q2)
    every = list(audit_list_for_object(obj=q2)[:200])
    expected = _collapse_edits(every)[:100]
    shown = _history(q2)
    assert [e.pk for e in shown] == [e.pk for e in expected]
    assert len(shown) == 100
    assert shown[0].actor is None or shown[0].actor.display_name


# --- Nothing to report ----------------------------------------------------------------------------


def test_nothing_to_report_clears_the_carried_over_text(pilot, on_date, client):
    _q1, q2 = q1_reported(pilot, on_date)
    client.force_login(pilot.lead)
    data = form_data(q2, t5_nothing_to_report="on", t6_nothing_to_report="on")
    data["t6_next_plan"] = "三季度启动数据合成研究。"  # new text stays
    with on_date("2026-07-05"):
        assert client.post(urls(pilot)["detail"], data).status_code == 302
    entries = {e.task.number: e for e in ProgressReport.objects.get(pk=q2.pk).entries.all()}
    five, six = entries[5], entries[6]
    assert cleared(five)
    assert five.answered
    assert six.next_plan == "三季度启动数据合成研究。"
    assert six.work_done == ""
    assert entries[7].work_done == "一季度任务7启动。"  # other tasks untouched


def test_nothing_to_report_through_the_api_clears_the_same(pilot, on_date, api_client):
    _q1, q2 = q1_reported(pilot, on_date)
    api_client.force_authenticate(pilot.lead)
    with on_date("2026-07-05"):
        body = api_client.patch(
            urls(pilot)["api"],
            {"revision": q2.revision, "entries": {"9": {"nothing_to_report": True}}},
            format="json",
        ).json()
    nine = next(e for e in body["entries"] if e["task"] == 9)
    assert nine["answered"]
    assert [nine[f] for f in TEXT] == ["", "", ""]


def test_a_save_reads_the_previous_period_only_for_a_plan_or_problems_to_clear(pilot, on_date):
    """An entry with "nothing to report" and no plan or problems left has nothing the previous
    period could clear: the save does not read that period (two queries an autosave)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    EARLIER = '"due_date" < '  # noqa: N806 - previous_report's filter: an earlier period
    _q1, q2 = q1_reported(pilot, on_date)
    with on_date("2026-07-05"):
        q2 = services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            entries={5: {"nothing_to_report": True}},
        )

        def save(entries):
            report = ProgressReport.objects.get(pk=q2.pk)
            with CaptureQueriesContext(connection) as ctx:
                services.report_update(
                    actor=pilot.lead, report=report, revision=report.revision, entries=entries
                )
            return [q["sql"] for q in ctx.captured_queries]

        emptied = {5: {"nothing_to_report": True, "next_plan": "", "problems": ""}}
        assert not any(EARLIER in sql for sql in save(emptied))
        five = ProgressReport.objects.get(pk=q2.pk).entries.get(task__number=5)
        assert cleared(five)
        # A plan typed again: the previous period is read, and its own text still goes.
        previous = ProgressReport.objects.get(pk=_q1.pk).entries.get(task__number=5)
        carried = {5: {"nothing_to_report": True, "next_plan": previous.next_plan}}
        assert any(EARLIER in sql for sql in save(carried))
        five.refresh_from_db()
        assert five.next_plan == ""


# --- The page: navigation, accessibility, what reviewers see -----------------------------------


def test_the_form_groups_tasks_by_category_with_progress_and_labelled_evidence_inputs(
    pilot, on_date, client
):
    with on_date("2026-07-02"):
        q2 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            entries={1: {"status": "on_track"}, 3: {"nothing_to_report": True}},
        )
    client.force_login(pilot.lead)
    for language, progress in (("zh-hans", "已填写 2/23 项"), ("en", "2 / 23 answered")):
        with on_date("2026-07-05"):
            html = client.get(urls(pilot)["detail"], HTTP_ACCEPT_LANGUAGE=language)
        html = html.content.decode()
        assert progress in html
    assert html.count('<details class="task-category" open') == 7
    file_ids = re.findall(r'<input type="file" name="t\d+_file"[^>]*id="(id_t\d+_file)"', html)
    assert len(file_ids) == len(set(file_ids)) == 23
    for file_id in file_ids:
        assert f'<label for="{file_id}">' in html
    assert 'id="id_file"' not in html


def test_reviewers_see_every_field_including_next_plan_and_problems(
    pilot, on_date, client, ministry_staff
):
    _q1, q2 = q1_reported(pilot, on_date)
    with on_date("2026-07-05"):
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            data={"requests": "请支持算力资源。"},
            entries={
                n: {"next_plan": f"三季度计划{n}", "problems": f"困难{n}"} for n in range(1, 24)
            },
        )
        q2.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=q2)
        for reviewer in (pilot.authority, ministry_staff):
            client.force_login(reviewer)
            html = client.get(urls(pilot)["detail"]).content.decode()
            assert "三季度计划17" in html
            assert "困难17" in html
            assert "请支持算力资源。" in html
            assert 'data-testid="report-form"' not in html
            assert 'data-testid="compare-link"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_compare_with_the_previous_period_side_by_side_page_and_api(
    pilot, on_date, client, api_client, ministry_staff, outsiders, language
):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    with on_date("2026-07-05"):
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            entries={4: {"work_done": "二季度新进展"}},
        )
        for viewer in (pilot.authority, ministry_staff, outsiders["member"]):
            client.force_login(viewer)
            page = client.get(u["compare"], HTTP_ACCEPT_LANGUAGE=language)
            assert page.status_code == 200
        html = page.content.decode()
        api_client.force_authenticate(ministry_staff)
        body = api_client.get(u["api"] + "compare/").json()
        for who in ("other_province", "other_lead"):
            client.force_login(outsiders[who])
            assert client.get(u["compare"]).status_code == 404
            api_client.force_authenticate(outsiders[who])
            assert api_client.get(u["api"] + "compare/").status_code == 404
    assert "一季度任务4启动。" in html
    assert "二季度新进展" in html
    assert ("与上期相同" if language == "zh-hans" else "same as the previous period") in html
    task4 = next(t for t in body["tasks"] if t["task"] == 4)
    assert task4["previous"]["work_done"] == "一季度任务4启动。"
    assert task4["current"]["work_done"] == "二季度新进展"
    assert task4["unchanged"] == ["next_plan", "problems"]
    assert body["previous"]["period"] == "2026-q1"
    assert 5 in body["unchanged_tasks"]


# --- Locked reports -------------------------------------------------------------------------------


def test_a_locked_report_shows_no_submit_button_and_is_refused(pilot, on_date, client, api_client):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    client.force_login(pilot.lead)
    api_client.force_authenticate(pilot.lead)
    with on_date("2026-07-05"):
        assert 'data-testid="report-submit"' in client.get(u["detail"]).content.decode()
    with on_date("2026-08-20"):  # Q2 entry locked after 2026-07-30
        html = client.get(u["detail"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-testid="report-submit"' not in html
        assert 'data-testid="submit-report"' not in html
        assert 'data-testid="report-form"' not in html
        assert 'data-testid="report-locked"' in html
        assert client.get(u["submit"]).status_code == 403
        assert client.post(u["submit"], {"revision": q2.revision}).status_code == 403
        refused = api_client.post(u["api"] + "submit/", {"revision": q2.revision}, format="json")
        assert refused.status_code == 403
        assert api_client.get(u["api"] + "preview/").status_code == 403
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=pilot.lead, report=q2, revision=q2.revision)
    assert ProgressReport.objects.get(pk=q2.pk).state == ReportState.DRAFT


def test_the_confirmation_page_is_refused_to_the_wrong_people(pilot, on_date, client, outsiders):
    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    with on_date("2026-07-05"):
        for who in ("member", "other_province", "other_lead"):
            client.force_login(outsiders[who])
            expected = 403 if who == "member" else 404
            assert client.get(u["submit"]).status_code == expected, who
            assert client.post(u["submit"], {"revision": q2.revision}).status_code == expected
        client.force_login(pilot.lead)
        assert client.get(u["submit"]).status_code == 200
    assert ProgressReport.objects.get(pk=q2.pk).state == ReportState.DRAFT


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_form_confirmation_and_comparison_pages_show_only_the_chosen_language(
    pilot, on_date, client, ministry_staff, language
):
    from consortia.tests.test_pages_i18n import user_content
    from portal.tests.test_i18n import check_language

    _q1, q2 = q1_reported(pilot, on_date)
    u = urls(pilot)
    strip = [
        *user_content(pilot.consortium),
        pilot.lead.display_name,
        ministry_staff.display_name,
        pilot.consortium.lead_organisation.name_zh,
        "一季度：联合体完成组建。",
        "请协调数据标准立项。",
        "二季度继续推进。",
        "缺少标注人员。",
        *[f"一季度任务{n}启动。" for n in range(1, 24)],
    ]

    def clean(html):
        for value in sorted(set(strip), key=len, reverse=True):
            html = html.replace(value, "")
        return html

    client.force_login(pilot.lead)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    with on_date("2026-07-05"):
        pages = {
            "form with errors": client.post(u["detail"], form_data(q2, t7_percent="150")),
            "confirmation": client.get(u["submit"]),
            "comparison": client.get(u["compare"]),
        }
        stale = client.post(
            u["detail"],
            form_data(q2, revision=q2.revision - 1, intent="autosave"),
            HTTP_ACCEPT="application/json",
        )
        client.force_login(ministry_staff)
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        pages["read-only"] = client.get(u["detail"])
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = clean(response.content.decode())
        assert not check_language(html, language, pilot.lead.username), (
            name,
            check_language(html, language, ""),
        )
    assert not check_language(stale.json()["message"], language, "")
