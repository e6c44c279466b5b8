"""The report page's task sections remembered in the cache (``task_memo``): never stale, never
remembered with errors, the same characters as a section written afresh."""

import pytest
from django.core.cache import cache
from django.utils.translation import override

from portal import caching
from reporting.periods import forms, services
from reporting.periods.comparison import report_entries
from reporting.periods.forms import ReportForm
from reporting.periods.models import Evidence
from reporting.periods.task_memo import KEY_PREFIX
from reporting.periods.tests.test_report_form import form_data, q1_reported

pytestmark = pytest.mark.django_db

WRITE = forms.task_html


@pytest.fixture(autouse=True)
def memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def q2(pilot, on_date):
    _q1, q2 = q1_reported(pilot, on_date)
    return q2


def remembered() -> int:
    return sum(1 for key in cache._cache if KEY_PREFIX in key)  # locmem's keys


def page_form(report, *, data=None, unchanged=None, previous=None) -> ReportForm:
    """The form as the page builds it (``ReportDetailView``): the rows' unchanged fields and the
    plan's ``data-previous`` set, then grouped."""
    report.refresh_from_db()
    initial = {k: getattr(report, k) for k in ("summary", "key_figures", "problems", "requests")}
    initial["revision"] = report.revision
    form = ReportForm(data, entries=report_entries(report), initial=initial)
    for row in form.rows:
        n = row["entry"].task.number
        row["unchanged"] = (unchanged or {}).get(n, [])
        if previous and n in previous:
            form.fields[f"t{n}_next_plan"].widget.attrs["data-previous"] = previous[n]
    form.groups()
    return form


def drawn(form) -> list[str]:
    return [row["html"]() for row in form.rows]


def afresh(form) -> list[str]:
    return [WRITE(row) for row in form.rows]


def from_the_cache_only(monkeypatch):
    """Any section written rather than read from the cache fails the test."""

    def refuse(row):
        raise AssertionError(f"task {row['entry'].task.number} written, not remembered")

    monkeypatch.setattr(forms, "task_html", refuse)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_remembered_section_is_the_section_written_afresh(q2, language, monkeypatch):
    with override(language):
        first = page_form(q2, unchanged={1: ["work_done"]}, previous={2: "二季度继续推进。"})
        html = drawn(first)
        assert html == afresh(first)
        assert remembered() == len(first.rows)
        assert "badge-same" in html[0]
        assert "data-previous" in html[1]
        with monkeypatch.context() as patch:
            from_the_cache_only(patch)
            again = page_form(q2, unchanged={1: ["work_done"]}, previous={2: "二季度继续推进。"})
            assert drawn(again) == html


def test_each_language_has_its_own_sections(q2):
    with override("zh-hans"):
        chinese = drawn(page_form(q2))
    with override("en"):
        form = page_form(q2)
        english = drawn(form)
        assert english == afresh(form)
    assert chinese != english
    assert remembered() == 2 * len(form.rows)


def test_an_edited_task_is_written_anew_and_the_others_are_read(q2, pilot, on_date, monkeypatch):
    before = drawn(page_form(q2))
    number = q2.entries.select_related("task").first().task.number
    with on_date("2026-07-05"):
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            entries={number: {"work_done": "新写的 <进展> & 结果"}},
        )
    form = page_form(q2)
    after = drawn(form)
    assert after == afresh(form)
    assert "新写的 &lt;进展&gt; &amp; 结果" in after[0]
    assert after[0] != before[0]
    assert after[1:] == before[1:]
    assert remembered() == len(form.rows) + 1


def test_an_uploaded_evidence_file_shows_at_once(q2, pilot):
    before = drawn(page_form(q2))
    entry = q2.entries.select_related("task").first()
    Evidence.objects.create(
        entry=entry,
        file="x/1.pdf",
        original_name="验收 <报告>.pdf",
        sha256="0" * 64,
        size=1,
        uploaded_by=pilot.lead,
    )
    form = page_form(q2)
    after = drawn(form)
    assert after == afresh(form)
    assert "验收 &lt;报告&gt;.pdf" in after[0]
    assert after[0] != before[0]
    Evidence.objects.filter(entry=entry).update(original_name="改名.pdf")
    form = page_form(q2)
    assert drawn(form) == afresh(form)
    assert "改名.pdf" in drawn(form)[0]


def test_unchanged_flags_and_the_previous_plan_are_part_of_the_section(q2):
    plain = page_form(q2)
    flagged = page_form(q2, unchanged={1: ["next_plan"]})
    previous = page_form(q2, previous={1: "上一期的计划"})
    for form in (plain, flagged, previous, page_form(q2)):
        assert drawn(form) == afresh(form)
    assert "badge-same" not in drawn(plain)[0]
    assert "badge-same" in drawn(flagged)[0]
    assert 'data-previous="上一期的计划"' in drawn(previous)[0]
    assert len({drawn(plain)[0], drawn(flagged)[0], drawn(previous)[0]}) == 3


def test_a_form_with_errors_or_posted_is_never_remembered(q2):
    n = q2.entries.select_related("task").first().task.number
    posted = page_form(q2, data=form_data(q2, **{f"t{n}_percent": "150"}))
    assert posted.is_valid() is False
    assert drawn(posted) == afresh(posted)
    assert "errorlist" in drawn(posted)[0]
    valid = page_form(q2, data=form_data(q2))
    assert valid.is_valid()
    assert drawn(valid) == afresh(valid)
    valid.add_unanswered([n])  # as the page does when a submission is refused
    assert drawn(valid) == afresh(valid)
    assert "errorlist" in drawn(valid)[0]
    assert remembered() == 0


def test_the_page_draws_with_the_cache_down(q2, monkeypatch):
    monkeypatch.setitem(caching._state, "down_until", 0.0)  # restored after the test

    class Down:
        def get_many(self, keys):
            raise ConnectionError("redis down")

        set_many = get_many

    monkeypatch.setattr(caching, "cache", Down())
    form = page_form(q2)
    assert drawn(form) == afresh(form)
