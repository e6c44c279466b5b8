"""Every evaluation page reads wholly in the chosen language (user-entered text aside)."""

import pytest
from django.urls import reverse

from portal.tests.test_i18n import check_language
from reporting.evaluation import services
from reporting.evaluation.models import Evaluation

from .conftest import scores
from .test_evaluation import A, B, published

pytestmark = pytest.mark.django_db


def _user_content(*pilots) -> list[str]:
    content = ["总体成效显著。", "任务完成情况良好。", "任务全部按期完成。"]
    for pilot in pilots:
        content += [pilot.consortium.name, pilot.consortium.lead_unit_name]
    content += [f"甲{i}" for i in range(5)] + [f"乙{i}" for i in range(5)]
    return content


def _names(*users) -> list[str]:
    parts = [p for u in users for p in (u.get_full_name(), u.username, u.first_name, u.last_name)]
    return sorted({p for p in parts if p}, key=len, reverse=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_evaluation_pages_show_only_the_chosen_language(
    client, language, beijing, guangdong, program, ministry_staff, reviewer2
):
    evaluation = published(beijing, program, ministry_staff, reviewer2)
    gd = services.evaluation_start(actor=ministry_staff, consortium=guangdong.consortium)
    services.scorecard_save(
        actor=ministry_staff, evaluation=gd, scores=scores(program, B, "乙"), submit=True
    )
    services.evaluation_moderate(actor=ministry_staff, evaluation=gd)
    gd = Evaluation.objects.get(pk=gd.pk)
    strip = _user_content(beijing, guangdong) + _names(
        ministry_staff, reviewer2, beijing.lead, beijing.authority
    )
    ministry_pages = [
        reverse("evaluation:evaluation-list") + "?program=idfa-2026",
        reverse("evaluation:evaluation-list") + "?program=mdr-2026",
        reverse("evaluation:evaluation-detail", args=[evaluation.pk]),
        reverse("evaluation:evaluation-detail", args=[gd.pk]),
        reverse("evaluation:evaluation-moderate", args=[gd.pk]),
        reverse("evaluation:evaluation-ranking") + "?program=idfa-2026",
    ]
    pages = [(ministry_staff, url) for url in ministry_pages] + [
        (user, url)
        for user in (beijing.lead, beijing.authority)
        for url in (
            reverse("evaluation:evaluation-list"),
            reverse("evaluation:evaluation-detail", args=[evaluation.pk]),
        )
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        html = response.content.decode()
        for value in strip:
            html = html.replace(value, "")
        assert not check_language(html, language, user.username), (url, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_scorecard_page_shows_only_the_chosen_language(
    client, language, beijing, program, ministry_staff
):
    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    services.scorecard_save(actor=ministry_staff, evaluation=evaluation, scores=scores(program, A))
    client.force_login(ministry_staff)
    response = client.get(
        reverse("evaluation:evaluation-score", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    for value in _user_content(beijing) + [f"意见{i}" for i in range(5)] + _names(ministry_staff):
        html = html.replace(value, "")
    assert not check_language(html, language, ministry_staff.username)
