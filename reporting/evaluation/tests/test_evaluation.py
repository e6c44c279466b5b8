"""The evaluation's workflow, its visibility and its denials, through services, pages and API."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEntry, Notification
from portal.tests.factories import UserFactory
from reporting.evaluation import services
from reporting.evaluation.models import Evaluation
from reporting.evaluation.scoring import evaluation_result
from reporting.evaluation.workflows import EvaluationState

from .conftest import api, scores

pytestmark = pytest.mark.django_db

A = [80, 90, 70, 60, 100]
B = [90, 80, 75, 65, 90]


def scored(pilot, program, staff, reviewer2) -> Evaluation:
    """Started, and scored by two reviewers."""
    evaluation = services.evaluation_start(actor=staff, consortium=pilot.consortium)
    services.scorecard_save(
        actor=staff, evaluation=evaluation, scores=scores(program, A, "甲"), submit=True
    )
    services.scorecard_save(
        actor=reviewer2, evaluation=evaluation, scores=scores(program, B, "乙"), submit=True
    )
    evaluation.refresh_from_db()
    return evaluation


def published(pilot, program, staff, reviewer2) -> Evaluation:
    evaluation = scored(pilot, program, staff, reviewer2)
    services.evaluation_moderate(actor=staff, evaluation=evaluation)
    services.moderation_save(
        actor=staff,
        evaluation=evaluation,
        revision=Evaluation.objects.get(pk=evaluation.pk).revision,
        finals=[
            {
                "criterion": "task_completion",
                "score": 95,
                "reason": "任务全部按期完成。",
                "comment": "任务完成情况良好。",
            }
        ],
        conclusion="总体成效显著。",
    )
    services.evaluation_finalise(actor=staff, evaluation=evaluation)
    services.evaluation_publish(actor=staff, evaluation=evaluation)
    evaluation.refresh_from_db()
    return evaluation


def detail(evaluation):
    return reverse("evaluation:evaluation-detail", args=[evaluation.pk])


def api_detail(evaluation):
    return f"/api/v1/evaluations/{evaluation.pk}/"


def test_two_reviewers_score_the_average_counts_only_submitted_scorecards(
    beijing, program, ministry_staff, reviewer2
):
    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    services.scorecard_save(
        actor=ministry_staff, evaluation=evaluation, scores=scores(program, A), submit=True
    )
    services.scorecard_save(actor=reviewer2, evaluation=evaluation, scores=scores(program, B))
    draft_only = evaluation_result(evaluation)
    assert [r.average for r in draft_only.criteria] == [Decimal(v) for v in A]
    assert draft_only.drafts == [reviewer2]
    card = evaluation.scorecards.get(reviewer=reviewer2)
    services.scorecard_save(
        actor=reviewer2,
        evaluation=evaluation,
        scores=scores(program, B),
        revision=card.revision,
        submit=True,
    )
    result = evaluation_result(evaluation)
    assert [r.average for r in result.criteria] == [
        Decimal("85.00"),
        Decimal("85.00"),
        Decimal("72.50"),
        Decimal("62.50"),
        Decimal("95.00"),
    ]
    # 85×30% + 85×25% + 72.5×20% + 62.5×15% + 95×10% = 80.125 → 80.13, 良好.
    assert result.total == Decimal("80.13")
    assert result.grade.code == "good"


def test_a_scorecard_is_submitted_only_with_every_criterion_scored_and_within_its_scale(
    beijing, program, ministry_staff
):
    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    partial = scores(program, A)[:3]
    with pytest.raises(ValidationError) as missing:
        services.scorecard_save(
            actor=ministry_staff, evaluation=evaluation, scores=partial, submit=True
        )
    assert missing.value.code == "unscored"
    assert not evaluation.scorecards.exists()  # nothing half-saved
    too_high = scores(program, [101, 90, 70, 60, 100])
    with pytest.raises(ValidationError) as out_of_range:
        services.scorecard_save(actor=ministry_staff, evaluation=evaluation, scores=too_high)
    assert out_of_range.value.error_dict["score_task_completion"][0].code == "out_of_range"


def test_the_full_workflow_is_audited_and_publishing_notifies_the_lead_and_province(
    beijing, program, ministry_staff, reviewer2
):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    assert evaluation.state == EvaluationState.PUBLISHED
    assert evaluation.moderator == ministry_staff
    actions = list(
        AuditEntry.objects.filter(object_id=str(evaluation.pk), action__startswith="evaluation.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "evaluation.start",
        "evaluation.score_submit",
        "evaluation.score_submit",
        "evaluation.moderate",
        "evaluation.moderation_edit",
        "evaluation.finalise",
        "evaluation.publish",
    ]
    publish = AuditEntry.objects.get(object_id=str(evaluation.pk), action="evaluation.publish")
    assert publish.data["total"] == "83.13"  # the moderator's 95 on task completion
    assert publish.data["grade"] == "good"
    notified = set(
        Notification.objects.filter(kind="evaluation.publish").values_list(
            "recipient_id", flat=True
        )
    )
    assert beijing.lead.pk in notified
    assert beijing.authority.pk in notified


def test_moderation_needs_a_reason_for_a_final_score_and_only_the_moderator_or_an_admin_moderates(
    beijing, program, ministry_staff, reviewer2, ministry_admin
):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError) as no_reason:
        services.moderation_save(
            actor=ministry_staff,
            evaluation=evaluation,
            revision=evaluation.revision,
            finals=[{"criterion": "task_completion", "score": 95, "reason": ""}],
        )
    assert no_reason.value.error_dict["reason_task_completion"][0].code == "reason_required"
    with pytest.raises(PermissionDenied):
        services.moderation_save(
            actor=reviewer2, evaluation=evaluation, revision=evaluation.revision, finals=[]
        )
    # Scoring is closed for everyone.
    with translation.override("en"), pytest.raises(PermissionDenied, match="Scoring is closed"):
        services.scorecard_save(actor=reviewer2, evaluation=evaluation, scores=[])
    services.moderation_save(
        actor=ministry_admin, evaluation=evaluation, revision=evaluation.revision, finals=[]
    )


def test_closing_scoring_needs_a_submitted_scorecard(beijing, ministry_staff):
    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    with pytest.raises(ValidationError) as refused:
        services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
    assert refused.value.code == "no_scores"


def test_concurrent_edits_are_refused_by_revision(beijing, program, ministry_staff, reviewer2):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    card = evaluation.scorecards.get(reviewer=reviewer2)
    # Reviewer 2's second tab saved after the first one opened the scorecard.
    with pytest.raises(ValidationError) as stale_card:
        services.scorecard_save(
            actor=reviewer2,
            evaluation=evaluation,
            scores=scores(program, A),
            revision=card.revision - 1,
        )
    assert stale_card.value.code == "stale"
    seen = evaluation.revision
    services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation, revision=seen)
    with pytest.raises(ValidationError) as stale:
        services.moderation_save(
            actor=ministry_staff, evaluation=evaluation, revision=seen, finals=[]
        )
    assert stale.value.code == "stale"
    response = api(ministry_staff).post(
        f"/api/v1/evaluations/{evaluation.pk}/finalise/", {"revision": seen}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "stale"


def test_only_consortia_with_an_approved_plan_are_evaluated_and_only_once(
    beijing, ministry_staff, province_user, program
):
    from consortia.tests.conftest import make_consortium

    draft = make_consortium(province_user, program, name="尚未获批的联合体")
    with pytest.raises(ValidationError) as refused:
        services.evaluation_start(actor=ministry_staff, consortium=draft)
    assert refused.value.code == "not_evaluable"
    services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    response = api(ministry_staff).post(
        "/api/v1/evaluations/", {"consortium": beijing.consortium.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "exists"


# --- visibility: unpublished evaluations do not exist outside the Ministry -------------------


def test_unpublished_evaluations_are_invisible_to_the_province_and_the_consortium(
    client, beijing, program, ministry_staff, reviewer2
):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    outsiders = [beijing.lead, beijing.member, beijing.authority]
    for state_step in ("scoring", "moderation", "finalised"):
        if state_step == "moderation":
            services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
        if state_step == "finalised":
            services.evaluation_finalise(actor=ministry_staff, evaluation=evaluation)
        for user in outsiders:
            client.force_login(user)
            for url in (
                detail(evaluation),
                reverse("evaluation:evaluation-score", args=[evaluation.pk]),
                reverse("evaluation:evaluation-moderate", args=[evaluation.pk]),
            ):
                assert client.get(url).status_code == 404, (state_step, user.role, url)
            listed = client.get(reverse("evaluation:evaluation-list")).content.decode()
            assert beijing.consortium.name not in listed
            caller = api(user)
            assert caller.get(api_detail(evaluation)).status_code == 404
            assert caller.get("/api/v1/evaluations/").json()["count"] == 0
            assert caller.post(f"{api_detail(evaluation)}publish/").status_code == 404
            # Guessing the next ids answers the same as a missing one.
            assert caller.get(f"/api/v1/evaluations/{evaluation.pk + 1}/").status_code == 404
    services.evaluation_publish(actor=ministry_staff, evaluation=evaluation)
    for user in outsiders:
        client.force_login(user)
        assert client.get(detail(evaluation)).status_code == 200
        assert api(user).get(api_detail(evaluation)).status_code == 200


def test_a_published_evaluation_shows_final_scores_and_comments_but_no_reviewers_scores(
    client, beijing, program, ministry_staff, reviewer2
):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    for user in (beijing.lead, beijing.authority):
        client.force_login(user)
        html = client.get(detail(evaluation), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "任务完成情况良好。" in html  # the moderator's comment
        assert "总体成效显著。" in html
        assert "83.13" in html
        assert "甲0" not in html  # a reviewer's comment
        assert "任务全部按期完成。" not in html  # the moderator's reason
        assert reviewer2.get_full_name() not in html
        data = api(user).get(api_detail(evaluation)).json()
        assert data["total"] == "83.13"
        assert "reviewer_scores" not in data["criteria"][0]
        assert "average" not in data["criteria"][0]
        assert "reviewers" not in data
    ministry = api(ministry_staff).get(api_detail(evaluation)).json()
    assert len(ministry["criteria"][0]["reviewer_scores"]) == 2
    assert ministry["criteria"][0]["reason"] == "任务全部按期完成。"


def test_other_provinces_and_consortia_cannot_see_a_published_evaluation(
    client, beijing, guangdong, program, ministry_staff, reviewer2
):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    for user in (guangdong.lead, guangdong.member, guangdong.authority):
        client.force_login(user)
        assert client.get(detail(evaluation)).status_code == 404
        assert api(user).get(api_detail(evaluation)).status_code == 404
        assert api(user).get("/api/v1/evaluations/").json()["count"] == 0


def test_provinces_leads_and_members_cannot_score_moderate_or_publish(
    client, beijing, program, ministry_staff, reviewer2
):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
    services.evaluation_finalise(actor=ministry_staff, evaluation=evaluation)
    services.evaluation_publish(actor=ministry_staff, evaluation=evaluation)
    for user in (beijing.lead, beijing.member, beijing.authority):
        caller = api(user)
        put = caller.put(
            f"{api_detail(evaluation)}scorecard/",
            {"scores": scores(program, A)},
            format="json",
        )
        assert put.status_code == 403, user.role
        assert caller.post(f"{api_detail(evaluation)}reopen/", {"comment": "x"}).status_code == 403
        assert (
            caller.post("/api/v1/evaluations/", {"consortium": beijing.consortium.pk}).status_code
            == 403
        )
        assert caller.get("/api/v1/evaluations/ranking/?program=idfa-2026").status_code == 403
        client.force_login(user)
        assert client.get(reverse("evaluation:evaluation-ranking")).status_code == 403
        assert (
            client.post(
                reverse("evaluation:evaluation-action", args=[evaluation.pk, "reopen"]),
                {"comment": "x"},
            ).status_code
            == 403
        )


def test_anonymous_users_are_refused(client, beijing, program, ministry_staff, reviewer2):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    assert client.get(detail(evaluation)).status_code == 302  # to the login page
    assert client.get(reverse("evaluation:evaluation-list")).status_code == 302
    assert api(None).get(api_detail(evaluation)).status_code in (401, 403)
    assert api(None).get("/api/v1/evaluations/").status_code in (401, 403)


def test_a_second_ministry_user_who_is_not_the_moderator_cannot_finalise(
    beijing, program, ministry_staff, reviewer2
):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
    response = api(reviewer2).post(f"{api_detail(evaluation)}finalise/", {}, format="json")
    assert response.status_code == 403
    assert "moderator" in response.json()["detail"]


# --- the pages a Ministry user works in ---------------------------------------------------------


def test_the_ministry_walks_the_evaluation_through_its_pages(
    client, beijing, program, ministry_staff, reviewer2
):
    client.force_login(ministry_staff)
    listing = client.get(reverse("evaluation:evaluation-list") + "?program=idfa-2026")
    assert f'data-testid="start-{beijing.consortium.pk}"' in listing.content.decode()
    response = client.post(reverse("evaluation:evaluation-start", args=[beijing.consortium.pk]))
    evaluation = Evaluation.objects.get(consortium=beijing.consortium)
    assert response.url == detail(evaluation)
    score_url = reverse("evaluation:evaluation-score", args=[evaluation.pk])
    form = {f"score_{s['criterion']}": s["score"] for s in scores(program, A)}
    form |= {f"comment_{s['criterion']}": s["comment"] for s in scores(program, A)}
    response = client.post(score_url, {**form, "intent": "submit"})
    assert response.status_code == 302
    services.scorecard_save(
        actor=reviewer2, evaluation=evaluation, scores=scores(program, B), submit=True
    )
    evaluation.refresh_from_db()
    response = client.post(
        reverse("evaluation:evaluation-action", args=[evaluation.pk, "moderate"]),
        {"revision": evaluation.revision},
    )
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.MODERATION
    moderate_url = reverse("evaluation:evaluation-moderate", args=[evaluation.pk])
    page = client.get(moderate_url).content.decode()
    assert "72.50" in page  # the average beside each reviewer's score
    refused = client.post(
        moderate_url, {"revision": evaluation.revision, "final_task_completion": "95"}
    )
    assert refused.status_code == 200
    assert "Give the reason" in refused.content.decode() or "请说明" in refused.content.decode()
    client.post(
        moderate_url,
        {
            "revision": evaluation.revision,
            "final_task_completion": "95",
            "reason_task_completion": "按期完成。",
            "comment_task_completion": "完成良好。",
            "conclusion": "成效显著。",
        },
    )
    evaluation.refresh_from_db()
    for action in ("finalise", "publish"):
        client.post(
            reverse("evaluation:evaluation-action", args=[evaluation.pk, action]),
            {"revision": evaluation.revision},
        )
        evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.PUBLISHED
    assert evaluation_result(evaluation).total == Decimal("83.13")


def test_members_read_a_published_evaluation_but_get_no_scorecard(
    client, beijing, program, ministry_staff, reviewer2
):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    client.force_login(beijing.member)
    html = client.get(detail(evaluation)).content.decode()
    assert 'data-testid="score-link"' not in html
    assert 'data-testid="action-' not in html
    assert (
        client.get(reverse("evaluation:evaluation-score", args=[evaluation.pk])).status_code == 403
    )


def test_a_ministry_admin_can_reviewer_too(beijing, program, ministry_admin):
    evaluation = services.evaluation_start(actor=ministry_admin, consortium=beijing.consortium)
    card = services.scorecard_save(
        actor=ministry_admin, evaluation=evaluation, scores=scores(program, A), submit=True
    )
    assert card.submitted_at is not None
    other = UserFactory(role="ministry_staff", organisation_code="MIIT")
    assert api(other).get(api_detail(evaluation)).status_code == 200


def test_the_ministry_home_lists_scorecards_to_submit_and_evaluations_to_finalise(
    client, beijing, program, ministry_staff, reviewer2
):
    from portal.inbox import inbox_for

    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    services.scorecard_save(
        actor=ministry_staff, evaluation=evaluation, scores=scores(program, A), submit=True
    )
    score_url = reverse("evaluation:evaluation-score", args=[evaluation.pk])
    assert score_url in [i.url for i in inbox_for(reviewer2)]
    assert score_url not in [i.url for i in inbox_for(ministry_staff)]  # submitted already
    services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
    assert detail(evaluation) in [i.url for i in inbox_for(ministry_staff)]
    assert detail(evaluation) not in [i.url for i in inbox_for(reviewer2)]
    assert inbox_for(beijing.lead) == [] or all(
        "evaluation" not in i.tags for i in inbox_for(beijing.lead)
    )
