"""Issue 13, items 3 and 4 and MLPS 2.0 identification (GB/T 22239-2019 8.1.4.1): brute-force
lockout on every login, the token lifecycle, password policy and session timeouts.

Times are moved by editing the stored values (session clocks, token expiry, password date)."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import ApiToken, AuditEntry, Notification, User
from portal.passwords import LAST_ACTIVITY, LOGIN_AT
from portal.services import user_create
from portal.tests.factories import UserFactory, unit_factory

PASSWORD = "pass-for-tests-1"
NEW_PASSWORD = "Neu-Passw0rt-2026"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
REVOKE = "/api/v1/auth/token/revoke/"
ME = "/api/v1/me/"

# Every test here touches the database, some only through ``request.getfixturevalue``: marking
# them lets pytest-django order them before the transactional tests, whose flush empties the
# seeded organisations.
pytestmark = pytest.mark.django_db


@pytest.fixture
def security_admin(db):
    return UserFactory(role="security_admin", organisation_code="MIIT")


def _fail_page(client, url, username, times, **extra):
    responses = [
        client.post(url, {"username": username, "password": "wrong-guess"}, **extra)
        for _ in range(times)
    ]
    return responses[-1]


def _fail_api(api_client, username, times, **extra):
    responses = [
        api_client.post(TOKEN, {"username": username, "password": "wrong-guess"}, **extra)
        for _ in range(times)
    ]
    return responses[-1]


def _otp_for(user) -> dict:
    """The second factor a role that needs one gives the token endpoint (portal/otp.py)."""
    from portal.otp import otp_required_for
    from tests.test_security_admins import code_of, enrolled

    if not otp_required_for(user):
        return {}
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrolled(user)[0]
    return {"otp": code_of(device)}


def _token(api_client, user, password=PASSWORD, **extra) -> str:
    response = api_client.post(
        TOKEN, {"username": user.username, "password": password, **_otp_for(user)}, **extra
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.get(ME)
    api_client.credentials()
    return response


# --- Brute force --------------------------------------------------------------------------------


def test_the_login_page_locks_an_account_out_after_five_failures(client, province_user):
    assert _fail_page(client, LOGIN, province_user.username, 4).status_code == 200
    locked = _fail_page(client, LOGIN, province_user.username, 1, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The right password no longer helps, in English too.
    right = client.post(
        LOGIN, {"username": province_user.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert right.status_code == 429
    assert "Too many failed logins" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_api_token_endpoint_locks_out_with_a_json_429(api_client, province_user):
    assert _fail_api(api_client, province_user.username, 4).status_code == 400
    locked = _fail_api(api_client, province_user.username, 1)
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    right = api_client.post(TOKEN, {"username": province_user.username, "password": PASSWORD})
    assert right.status_code == 429
    assert "token" not in right.json()
    assert right["Retry-After"] == "1800"
    assert not ApiToken.objects.exists()


def test_the_admin_login_locks_out_too(client, ministry_admin):
    _fail_page(client, ADMIN_LOGIN, ministry_admin.username, 5)
    right = client.post(ADMIN_LOGIN, {"username": ministry_admin.username, "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_an_address_is_locked_out_whatever_the_account_and_another_address_is_not(
    client, province_user
):
    for n in range(5):
        client.post(LOGIN, {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    from_there = client.post(
        LOGIN, {"username": province_user.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert from_there.status_code == 429
    elsewhere = client.post(
        LOGIN, {"username": province_user.username, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert elsewhere.status_code == 302


def test_an_account_is_locked_out_whatever_the_address(api_client, province_user):
    for n in range(5):
        api_client.post(
            TOKEN,
            {"username": province_user.username, "password": "x"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    fresh_address = api_client.post(
        TOKEN,
        {"username": province_user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.99",
    )
    assert fresh_address.status_code == 429


def test_a_lockout_writes_one_audit_entry_with_address_and_agent(client, province_user):
    _fail_page(client, LOGIN, province_user.username, 8, HTTP_USER_AGENT="probe/1.0")
    entries = AuditEntry.objects.filter(action="security.lockout")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.target == province_user
    assert entry.ip_address == "127.0.0.1"
    assert entry.user_agent == "probe/1.0"
    assert entry.data["failures"] == 5


# --- Unlock by the security administrator -------------------------------------------------------


def test_the_security_administrator_sees_and_clears_a_lockout_on_the_page(
    client, province_user, security_admin
):
    anonymous = client.__class__()
    _fail_page(anonymous, LOGIN, province_user.username, 5, REMOTE_ADDR="10.2.2.2")
    client.force_login(security_admin)
    page = client.get(reverse("security:lockout-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert province_user.username in page.content.decode()
    assert "锁定至" in page.content.decode()
    response = client.post(
        reverse("security:lockout-clear"), {"kind": "username", "value": province_user.username}
    )
    assert response.status_code == 302
    # The address stays locked; the account from another address logs in again.
    assert not AccessAttempt.objects.filter(username=province_user.username).exists()
    again = anonymous.post(
        LOGIN, {"username": province_user.username, "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
    )
    assert again.status_code == 302
    entry = AuditEntry.objects.get(action="security.lockout_clear")
    assert entry.actor == security_admin
    assert entry.data == {"kind": "username", "value": province_user.username, "failures": 5}


def test_the_security_administrator_lists_and_clears_an_address_through_the_api(
    api_client, province_user, security_admin
):
    _fail_api(api_client, "nobody-here", 5, REMOTE_ADDR="10.4.4.4")
    api_client.force_authenticate(security_admin)
    listed = api_client.get("/api/v1/security/lockouts/").json()
    address = next(row for row in listed if row["kind"] == "ip_address")
    assert address == {**address, "value": "10.4.4.4", "failures": 5, "locked": True}
    cleared = api_client.post(
        "/api/v1/security/lockouts/clear/", {"kind": "ip_address", "value": "10.4.4.4"}
    )
    assert cleared.status_code == 200
    assert cleared.json()["cleared"] == 1
    again = api_client.post(
        "/api/v1/security/lockouts/clear/", {"kind": "ip_address", "value": "10.4.4.4"}
    )
    assert again.status_code == 404
    bad = api_client.post(
        "/api/v1/security/lockouts/clear/", {"kind": "ip_address", "value": "not-an-address"}
    )
    assert bad.status_code == 400
    assert "value" in bad.json()["errors"]
    api_client.force_authenticate(None)
    assert _token(api_client, province_user, REMOTE_ADDR="10.4.4.4")


@pytest.mark.parametrize("role_user", ["ministry_admin", "province_user", "consortium_lead"])
def test_nobody_else_sees_or_clears_lockouts(client, api_client, role_user, request):
    user = request.getfixturevalue(role_user)
    _fail_api(api_client, "victim", 5)
    client.force_login(user)
    assert client.get(reverse("security:lockout-list")).status_code == 403
    assert client.get(reverse("security:home")).status_code == 403
    refused = client.post(
        reverse("security:lockout-clear"), {"kind": "username", "value": "victim"}
    )
    assert refused.status_code == 403
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/security/lockouts/").status_code == 403
    response = api_client.post(
        "/api/v1/security/lockouts/clear/", {"kind": "username", "value": "victim"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="victim").exists()


# --- Tokens -------------------------------------------------------------------------------------


def test_each_login_gives_a_new_token_kept_only_as_a_hash(api_client, province_user):
    first, second = _token(api_client, province_user), _token(api_client, province_user)
    assert first != second
    assert _me(api_client, first).status_code == 200
    assert _me(api_client, second).json()["username"] == province_user.username
    stored = ApiToken.objects.filter(user=province_user)
    assert stored.count() == 2
    assert not stored.filter(key_hash__in=[first, second]).exists()
    assert {t.prefix for t in stored} == {first[:8], second[:8]}


def test_a_token_expires(api_client, province_user, settings):
    key = _token(api_client, province_user)
    token = ApiToken.objects.get(user=province_user)
    assert token.expires_at - timezone.now() > timedelta(hours=settings.API_TOKEN_TTL_HOURS - 1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(api_client, key)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_user_holds_a_capped_number_of_tokens(api_client, province_user, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    oldest = _token(api_client, province_user)
    _token(api_client, province_user)
    _token(api_client, province_user)
    assert _me(api_client, oldest).status_code == 401
    assert ApiToken.objects.filter(user=province_user, revoked_at__isnull=True).count() == 2


def test_the_token_endpoint_takes_a_second_factor_through_the_hook(
    api_client, province_user, monkeypatch
):
    seen = []

    def refuse(user, code):
        seen.append((user, code))
        return False

    monkeypatch.setattr("portal.api.security.second_factor_ok", refuse)
    response = api_client.post(
        TOKEN, {"username": province_user.username, "password": PASSWORD, "otp": "123456"}
    )
    assert response.status_code == 400
    assert "otp" in response.json()["errors"]
    assert seen == [(province_user, "123456")]
    assert AccessAttempt.objects.filter(username=province_user.username).exists()


def test_api_logout_ends_the_token_in_use_by_post_or_delete(api_client, province_user):
    first, second = _token(api_client, province_user), _token(api_client, province_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api_client.post(REVOKE).json() == {"revoked": 1}
    assert _me(api_client, first).status_code == 401
    assert _me(api_client, second).status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api_client.delete(TOKEN).status_code == 204
    assert _me(api_client, second).status_code == 401
    assert api_client.delete(TOKEN).status_code == 401


def test_logging_out_of_the_portal_ends_the_api_tokens(client, api_client, province_user):
    key = _token(api_client, province_user)
    client.force_login(province_user)
    client.post(reverse("logout"))
    assert _me(api_client, key).status_code == 401


def test_a_password_change_ends_every_token_and_every_other_session(
    client, api_client, province_user
):
    key = _token(api_client, province_user)
    other = client.__class__()
    other.force_login(province_user)
    client.force_login(province_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _me(api_client, key).status_code == 401
    assert client.get(reverse("portal:notification-list")).status_code == 200
    assert other.get(reverse("portal:notification-list")).status_code == 302
    revoked = AuditEntry.objects.filter(action="token.revoke", to_state="password_change")
    assert revoked.count() == 1


def test_the_security_administrator_lists_and_revokes_tokens(
    client, api_client, province_user, security_admin
):
    key = _token(api_client, province_user)
    token = ApiToken.objects.get(user=province_user)
    client.force_login(security_admin)
    page = client.get(reverse("security:token-list"), {"username": province_user.username})
    assert token.prefix in page.content.decode()
    assert key not in page.content.decode()
    client.post(reverse("security:token-revoke", args=[token.pk]))
    assert _me(api_client, key).status_code == 401

    second = _token(api_client, province_user)
    api_client.force_authenticate(security_admin)
    listed = api_client.get("/api/v1/security/tokens/", {"username": province_user.username})
    [row] = listed.json()["results"]
    assert row["prefix"] == second[:8]
    assert "key_hash" not in row
    revoked = api_client.post(f"/api/v1/security/tokens/{row['id']}/revoke/")
    assert revoked.json()["revoked_reason"] == "security_admin"
    api_client.force_authenticate(None)
    assert _me(api_client, second).status_code == 401


@pytest.mark.parametrize("role_user", ["ministry_admin", "province_user"])
def test_nobody_else_lists_or_revokes_tokens(client, api_client, role_user, request):
    user = request.getfixturevalue(role_user)
    key = _token(api_client, user)
    token = ApiToken.objects.get(user=user)
    client.force_login(user)
    assert client.get(reverse("security:token-list")).status_code == 403
    assert client.post(reverse("security:token-revoke", args=[token.pk])).status_code == 403
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/security/tokens/").status_code == 403
    assert api_client.post(f"/api/v1/security/tokens/{token.pk}/revoke/").status_code == 403
    api_client.force_authenticate(None)
    assert _me(api_client, key).status_code == 200


# --- Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt!x", "password_too_short"),
        ("onlylowercaseand123", "password_too_simple"),
        ("ALLUPPER-and-lower", None),
        ("Mixed-Case-99", None),
    ],
)
def test_passwords_are_long_and_mixed(password, code, province_user):
    if code is None:
        password_validation.validate_password(password, province_user)
        return
    with pytest.raises(ValidationError) as caught, override("zh-hans"):
        password_validation.validate_password(password, province_user)
    assert code in [e.code for e in caught.value.error_list]
    assert any("密码" in m for m in caught.value.messages)


def test_the_last_five_passwords_cannot_come_back(province_user):
    used = [f"Histor-y-{n}-Pw" for n in range(6)]
    for password in used:
        province_user.set_password(password)
        province_user.save()
    for recent in used[1:]:
        with pytest.raises(ValidationError) as caught:
            password_validation.validate_password(recent, province_user)
        assert caught.value.error_list[0].code == "password_reused"
    password_validation.validate_password(used[0], province_user)  # the sixth-last is free again
    assert province_user.password_history.count() == 5


def test_an_account_created_with_a_password_must_change_it_first(client, api_client, db):
    from portal.models import Organisation

    user = user_create(
        username="newcomer",
        role="provincial_authority",
        organisation=Organisation.objects.filter(kind="provincial_authority").first(),
        password="Given-By-Admin-1",
    )
    assert user.password_must_change
    client.force_login(user)
    response = client.get(reverse("portal:notification-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Location"] == reverse("password_change")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "您的密码由他人设置" in page.content.decode()
    api = client.get(ME)
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    token = api_client.post(TOKEN, {"username": "newcomer", "password": "Given-By-Admin-1"})
    assert token.status_code == 403
    assert token.json()["code"] == "password_change_required"

    client.post(
        reverse("password_change"),
        {
            "old_password": "Given-By-Admin-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    user.refresh_from_db()
    assert not user.password_must_change
    assert client.get(reverse("portal:notification-list")).status_code == 200


def test_a_password_set_by_an_administrator_must_change_and_one_chosen_by_reset_need_not(
    client, ministry_admin, province_user, mailoutbox
):
    client.force_login(ministry_admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[province_user.pk]),
        {
            "password1": "Admin-Chose-It-7",
            "password2": "Admin-Chose-It-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    province_user.refresh_from_db()
    assert province_user.password_must_change
    assert AuditEntry.objects.filter(action="user.password_change", actor=ministry_admin).exists()

    # The e-mailed link (how an invited person sets theirs) is the holder's own choice.
    client.logout()
    client.post(reverse("password_reset"), {"email": province_user.email})
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/reset/" in line).strip()
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    province_user.refresh_from_db()
    assert province_user.check_password(NEW_PASSWORD)
    assert not province_user.password_must_change


def test_an_invited_account_must_choose_its_password(province_user, ministry_staff):
    from consortia.samples import CONSORTIUM
    from consortia.services import consortium_create, pilot_accounts_open
    from tasks_catalog.models import Program

    program = Program.objects.get(code="idfa-2026")
    consortium = consortium_create(
        actor=province_user,
        program=program,
        data={**CONSORTIUM, "entity_type": program.entity_types.first()},
    )
    consortium.lead_organisation = unit_factory()
    consortium.save()
    [lead] = pilot_accounts_open(consortium=consortium, actor=ministry_staff)
    # No initial password to keep: only the e-mailed link lets the person in, to choose theirs.
    assert not lead.has_usable_password()
    assert Notification.objects.filter(recipient=lead, kind="account.invite").exists()


def test_the_password_history_validator_is_configured(settings):
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    # It also records every change (history, date, who set it, the tokens it ends).
    assert "portal.passwords.PasswordHistoryValidator" in names
    assert "portal.passwords.ComplexityValidator" in names


def test_privileged_passwords_expire_after_ninety_days(client, ministry_staff, province_user):
    old = timezone.now() - timedelta(days=91)
    User.objects.filter(pk__in=[ministry_staff.pk, province_user.pk]).update(
        password_changed_at=old
    )
    client.force_login(ministry_staff)
    response = client.get(reverse("portal:notification-list"))
    assert response["Location"] == reverse("password_change")
    client.force_login(province_user)
    assert client.get(reverse("portal:notification-list")).status_code == 200


def test_demo_users_log_in_with_the_demo_password_without_a_forced_change(client, db):
    from portal.demo import DEMO_PASSWORD, ensure_demo_users

    ensure_demo_users()
    response = client.post(LOGIN, {"username": "admin", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home-ministry")
    assert response.status_code == 200


# --- Sessions -----------------------------------------------------------------------------------


def _age_session(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_after_thirty_minutes(client, province_user, settings):
    client.post(LOGIN, {"username": province_user.username, "password": PASSWORD})
    assert client.get(reverse("portal:notification-list")).status_code == 200
    _age_session(client, LAST_ACTIVITY, settings.SESSION_IDLE_TIMEOUT - 120)
    assert client.get(reverse("portal:notification-list")).status_code == 200  # still active
    _age_session(client, LAST_ACTIVITY, settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get(reverse("portal:notification-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "无操作已结束" in login_page.content.decode()


def test_a_session_ends_at_its_absolute_age_even_when_active(client, province_user, settings):
    client.post(LOGIN, {"username": province_user.username, "password": PASSWORD})
    _age_session(client, LOGIN_AT, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
