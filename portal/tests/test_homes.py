"""Each role reaches its own home page and is refused the others'."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOME_OF = {
    "ministry_admin": "ministry",
    "ministry_staff": "ministry",
    "provincial_authority": "province",
    "consortium_lead": "consortium",
    "consortium_member": "consortium",
}


@pytest.mark.parametrize("role", list(HOME_OF))
def test_root_sends_each_role_to_its_home(client, role_users, role):
    client.force_login(role_users[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(f"portal:home-{HOME_OF[role]}")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-testid="home-title"' in page.content.decode()


@pytest.mark.parametrize("role", list(HOME_OF))
@pytest.mark.parametrize("area", ["ministry", "province", "consortium"])
def test_other_roles_home_pages_are_refused_with_a_reason(client, role_users, role, area):
    client.force_login(role_users[role])
    response = client.get(reverse(f"portal:home-{area}"), HTTP_ACCEPT_LANGUAGE="en")
    if HOME_OF[role] == area:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "This page belongs to another role." in response.content.decode()


def test_refusal_is_translated(client, province_user):
    client.force_login(province_user)
    response = client.get(reverse("portal:home-ministry"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "此页面属于其他角色。" in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    for url in ["/", reverse("portal:home-ministry"), reverse("portal:notification-list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_user_without_role_is_refused(client, db):
    from portal.models import User

    user = User.objects.create_user("norole", password="x-long-password")
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "no role in the portal" in response.content.decode()


def test_province_home_shows_its_region_and_quota(client, province_user):
    client.force_login(province_user)
    html = client.get(
        reverse("portal:home-province"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "北京市" in html
    assert "工业数据筑基行动" in html
    assert "每个地方主管部门的推荐名额" in html or "推荐名额" in html


def test_home_lists_upcoming_deadlines(client, province_user, settings):
    import datetime as dt
    from unittest import mock

    client.force_login(province_user)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 1)):
        html = client.get(
            reverse("portal:home-province"), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "“Industrial Data Foundation Action”: 2026 Q2 progress report due on" in html
    assert "14 days left" in html


def test_me_api_tells_role_and_home(api_client, role_users):
    for role, user in role_users.items():
        api_client.force_authenticate(user)
        body = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["role"] == role
        assert body["home_area"] == HOME_OF[role]
        assert body["organisation"]["id"] == user.organisation_id


def test_login_and_logout_with_real_forms(client, province_user):
    response = client.post(
        reverse("login"), {"username": province_user.username, "password": "pass-for-tests-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(reverse("portal:home-province")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("portal:home-province")).status_code == 302


def test_wrong_password_is_refused_in_the_users_language(client, province_user):
    response = client.post(
        reverse("login"),
        {"username": province_user.username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_password_change_and_reset_by_email(client, province_user, mailoutbox):
    client.force_login(province_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-for-tests-1",
            "new_password1": "Gy7!kq2-zzPw",
            "new_password2": "Gy7!kq2-zzPw",
        },
    )
    assert response.status_code == 302
    province_user.refresh_from_db()
    assert province_user.check_password("Gy7!kq2-zzPw")

    client.logout()
    response = client.post(
        reverse("password_reset"), {"email": province_user.email}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [province_user.email]
    assert "重置" in mailoutbox[0].subject
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "New-pass-2026x", "new_password2": "New-pass-2026x"},
    )
    assert response.status_code == 302
    province_user.refresh_from_db()
    assert province_user.check_password("New-pass-2026x")


def test_language_switch_sets_the_language(client, province_user):
    client.force_login(province_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portal:home-province")).content.decode()
    assert "Provincial authority home: Beijing" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("portal:home-province")).content.decode()
    assert "地方主管部门首页：北京市" in html


# The loop portal/_inbox.html had, which InboxItem.html writes in Python (one line per line of
# the template, without the indentation of this file).
INBOX_LOOP = (
    "{% load i18n %}{% for item in inbox %}\n"
    '    <li class="level-{{ item.level }}" data-testid="inbox-item">\n'
    '      {% if item.url %}<a href="{{ item.url }}">{{ item.title }}</a>{% else %}'
    "{{ item.title }}{% endif %}\n"
    '      {% if item.detail %}<div class="detail">{{ item.detail }}</div>{% endif %}\n'
    '      {% if item.since %}<div class="detail inbox-dates"><span data-testid="inbox-since">'
    '{% blocktranslate with date=item.since_date|date:"Y-m-d" %}Waiting since {{ date }}'
    '{% endblocktranslate %}</span>{% if item.due %} · <span data-testid="inbox-due">'
    '{% blocktranslate with date=item.due|date:"Y-m-d" %}Due date: {{ date }}'
    "{% endblocktranslate %}</span>{% endif %}</div>{% endif %}\n"
    "    </li>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inbox_items_write_what_the_template_loop_wrote(language):
    import datetime as dt

    from django.template import Context, Template
    from django.utils.translation import override

    from portal.inbox import InboxItem

    since = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)  # 1 April in Beijing
    items = [
        InboxItem(title="确认“联合体（00012）”的报告", url="/reports/12/2026-q1/", since=since),
        InboxItem(
            title='A <b>"quoted"</b> & odd title',
            detail="Overdue: entry closes after 2026-04-30. <i>",
            url="/x/?a=1&b=2",
            due=dt.date(2026, 4, 15),
            since=dt.date(2026, 4, 1),
            level="danger",
        ),
        InboxItem(title="A deadline", detail="3 days left", due=dt.date(2026, 5, 1)),
        InboxItem(title="Nothing else"),
    ]
    loop = Template(INBOX_LOOP)
    with override(language):
        expected = loop.render(Context({"inbox": items}))
        assert "".join(item.html for item in items) == expected
    assert expected.count("inbox-since") == 2
    assert "2026-04-01" in expected
