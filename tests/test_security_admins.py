"""MLPS 2.0 level 3 (GB/T 22239-2019 8.1.4): two factors for administrators and Ministry staff,
and the separation of the three administrators (三员分立).

Tests marked ``otp`` log in without the second factor (root conftest.py marks every other
test's logins verified)."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import otp
from portal.models import AuditEntry, User
from portal.tests.factories import UserFactory

PRIVILEGED = ["ministry_admin", "ministry_staff", "security_admin", "audit_admin"]
# Ministry review actions (plan, quarterly report, evaluation) and the same through the API:
# the two-factor gate comes before the view, so any id shows it.
REVIEW_ACTIONS = [
    "/consortia/1/action/approve/",
    "/reports/1/2026q1/action/accept/",
    "/evaluations/1/score/",
]


def code_of(device: TOTPDevice, steps: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps`` time steps later)."""
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps):06d}"
    )


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=otp.AUTHENTICATOR, confirmed=True)
    return device, otp._recovery_codes_replace(user)


@pytest.fixture
def admins(db, ministry_admin, security_admin, audit_admin):
    return {
        "ministry_admin": ministry_admin,
        "security_admin": security_admin,
        "audit_admin": audit_admin,
    }


def privileged_user(role):
    return UserFactory(role=role, organisation_code="MIIT")


# --- Two factors ---------------------------------------------------------------------------------


@pytest.mark.otp
@pytest.mark.parametrize("role", PRIVILEGED)
def test_each_privileged_role_enrols_then_verifies_before_the_admin_or_a_review_action(
    client, role, db
):
    user = privileged_user(role)
    client.force_login(user)
    enrol = reverse("portal:otp-enrol")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(enrol)
    device, _codes = enrolled(user)
    verify = reverse("portal:otp-verify")
    for url in ["/admin/", "/", *REVIEW_ACTIONS]:
        response = client.post(url) if "action" in url or "score" in url else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(verify), url
    api = client.post("/api/v1/consortia/1/plan/approve/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 403
    assert api.json()["code"] == "otp_required"
    # The verify step opens them.
    response = client.post(verify, {"code": code_of(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    admin_page = client.get("/admin/")
    assert not admin_page.get("Location", "").startswith(verify)
    # (Ministry staff have no admin site: Django sends them to its login, not to the verify step.)
    assert admin_page.status_code == (302 if role == "ministry_staff" else 200)
    assert client.post(REVIEW_ACTIONS[0]).status_code in (403, 404)  # the view answers now


@pytest.mark.otp
def test_an_unverified_session_gets_no_api_whatever_header_comes_with_it(client, ministry_staff):
    from portal.tokens import token_issue

    client.force_login(ministry_staff)
    for header in ({}, {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}):
        response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en", **header)
        assert response.status_code == 403
        assert response.json()["code"] == "otp_required"
    # A token (issued after the code) works, whatever cookie comes along.
    _token, key = token_issue(user=ministry_staff)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


@pytest.mark.otp
def test_other_roles_sign_in_with_their_password_alone(client, province_user, consortium_lead):
    for user in (province_user, consortium_lead):
        client.force_login(user)
        assert not otp.otp_required_for(user)
        assert "/home/" in client.get("/")["Location"]


@pytest.mark.otp
def test_enrolment_shows_a_server_drawn_qr_code_then_ten_recovery_codes_once(
    client, ministry_staff, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code straight after a wrong one
    client.force_login(ministry_staff)
    page = client.get(reverse("portal:otp-enrol"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert " onload=" not in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=ministry_staff, confirmed=False)
    assert client.get(reverse("portal:otp-enrol")).status_code == 200  # the same secret again
    assert TOTPDevice.objects.filter(user=ministry_staff).count() == 1

    wrong = client.post(reverse("portal:otp-enrol"), {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()

    done = client.post(reverse("portal:otp-enrol"), {"code": code_of(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    # Stored as hashes only.
    stored = set(
        StaticToken.objects.filter(device__user=ministry_staff).values_list("token", flat=True)
    )
    assert not stored & {c.replace("-", "") for c in codes}
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(
        action="auth.otp_enrolled", object_id=str(ministry_staff.pk)
    ).exists()
    # Verified from now on; enrolling again is not offered.
    assert client.get(reverse("portal:home-ministry")).status_code == 200
    assert client.get(reverse("portal:otp-enrol"))["Location"] == reverse("portal:otp-status")


@pytest.mark.otp
def test_a_totp_code_is_accepted_once(client, ministry_staff):
    device, _codes = enrolled(ministry_staff)
    code = code_of(device)
    assert otp.verify_code(ministry_staff, code)
    assert not otp.verify_code(ministry_staff, code)  # replayed


@pytest.mark.otp
def test_a_recovery_code_signs_in_once(client, ministry_admin, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    _device, codes = enrolled(ministry_admin)
    verify = reverse("portal:otp-verify")
    client.force_login(ministry_admin)
    response = client.post(verify, {"code": codes[0].upper()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert client.get(reverse("portal:home-ministry")).status_code == 200
    assert otp.recovery_codes_left(ministry_admin) == 9
    client.logout()
    client.force_login(ministry_admin)
    again = client.post(verify, {"code": codes[0]}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "has been used already" in again.content.decode()
    assert client.post(verify, {"code": codes[1]}).status_code == 302


@pytest.mark.otp
def test_wrong_codes_are_audited_and_the_fifth_logs_the_session_out(
    client, ministry_staff, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _codes = enrolled(ministry_staff)
    client.force_login(ministry_staff)
    verify = reverse("portal:otp-verify")
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(verify, {"code": wrong}).status_code == 400
    response = client.post(verify, {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    failed = AuditEntry.objects.filter(action="auth.otp_failed", object_id=str(ministry_staff.pk))
    assert failed.count() == 5
    assert failed.first().data == {"via": "verify"}
    assert AuditEntry.objects.filter(action="auth.otp_logged_out").count() == 1
    # Logged out: the right code no longer helps this session.
    assert client.get("/")["Location"].startswith(reverse("login"))


@pytest.mark.otp
def test_the_authenticator_slows_down_after_a_wrong_code(client, ministry_staff):
    device, _codes = enrolled(ministry_staff)
    client.force_login(ministry_staff)
    verify = reverse("portal:otp-verify")
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    client.post(verify, {"code": wrong})
    response = client.post(verify, {"code": code_of(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "wait" in response.content.decode()


@pytest.mark.otp
def test_verify_goes_only_to_a_local_next(client, ministry_staff):
    device, _codes = enrolled(ministry_staff)
    client.force_login(ministry_staff)
    response = client.post(
        reverse("portal:otp-verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:home")


@pytest.mark.otp
def test_helpers_for_the_token_endpoint(ministry_staff, province_user, settings):
    assert otp.otp_required_for(ministry_staff)
    assert not otp.otp_required_for(province_user)
    device, codes = enrolled(ministry_staff)
    assert not otp.verify_code(ministry_staff, "")
    assert not otp.verify_code(ministry_staff, "x" * 1000)
    assert otp.verify_code(ministry_staff, codes[3])
    assert not otp.verify_code(ministry_staff, codes[3])
    assert otp.verify_code(ministry_staff, code_of(device))
    assert not otp.verify_code(province_user, code_of(device))  # not their device
    settings.OTP_REQUIRED = False
    assert not otp.otp_required_for(ministry_staff)


@pytest.mark.otp
def test_admin_site_itself_refuses_an_unverified_session(client, ministry_admin, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "portal.otp.TwoFactorMiddleware"]
    client.force_login(ministry_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.otp
def test_a_user_makes_new_recovery_codes_and_the_old_ones_stop_working(
    client, ministry_staff, settings
):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the right code straight after a wrong one
    device, old = enrolled(ministry_staff)
    client.force_login(ministry_staff)
    client.post(reverse("portal:otp-verify"), {"code": code_of(device)})
    status = client.get(reverse("portal:otp-status"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Recovery codes left: 10." in status.content.decode()
    new = client.post(reverse("portal:otp-status")).context["codes"]
    assert not otp.verify_code(ministry_staff, old[0])
    api = client.post(reverse("api-otp-recovery-codes"))
    assert api.status_code == 201
    newer = api.json()["codes"]
    assert len(newer) == 10
    assert not otp.verify_code(ministry_staff, new[0])
    assert otp.verify_code(ministry_staff, newer[0])
    assert AuditEntry.objects.filter(action="auth.otp_recovery_codes").count() == 2


def test_recovery_codes_through_the_api_need_an_authenticator(api_client, province_user):
    api_client.force_authenticate(province_user)
    response = api_client.post(reverse("api-otp-recovery-codes"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "not_enrolled"


def test_security_admin_resets_a_lost_authenticator_on_the_page_and_the_api(
    client, api_client, security_admin, ministry_staff, ministry_admin
):
    enrolled(ministry_staff)
    enrolled(ministry_admin)
    client.force_login(security_admin)
    listing = client.get(reverse("portal:otp-device-list"))
    assert listing.status_code == 200
    assert f'data-testid="otp-reset-{ministry_staff.username}"' in listing.content.decode()
    response = client.post(reverse("portal:otp-device-reset", args=[ministry_staff.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=ministry_staff).exists()
    assert not StaticDevice.objects.filter(user=ministry_staff).exists()
    entry = AuditEntry.objects.get(action="auth.otp_reset")
    assert entry.actor == security_admin
    assert entry.object_id == str(ministry_staff.pk)

    api_client.force_authenticate(security_admin)
    rows = {
        r["username"]: r for r in api_client.get("/api/v1/security/two-factor/").json()["results"]
    }
    assert rows[ministry_admin.username]["enrolled"] is True
    assert rows[ministry_admin.username]["codes_left"] == 10
    assert rows[ministry_staff.username]["enrolled"] is False
    response = api_client.post(f"/api/v1/security/two-factor/{ministry_admin.pk}/reset/")
    assert response.status_code == 200
    assert response.json()["devices_removed"] == 2
    assert AuditEntry.objects.filter(action="auth.otp_reset").count() == 2
    # Nobody resets their own.
    enrolled(security_admin)
    own = api_client.post(f"/api/v1/security/two-factor/{security_admin.pk}/reset/")
    assert own.status_code == 403
    assert TOTPDevice.objects.filter(user=security_admin).exists()


@pytest.mark.parametrize(
    "role", ["ministry_admin", "ministry_staff", "audit_admin", "provincial_authority"]
)
def test_nobody_but_the_security_admin_resets_a_second_factor(
    client, api_client, role, ministry_staff
):
    user = UserFactory(
        role=role, organisation_code="110000" if role == "provincial_authority" else "MIIT"
    )
    enrolled(ministry_staff)
    client.force_login(user)
    assert client.get(reverse("portal:otp-device-list")).status_code == 403
    assert (
        client.post(reverse("portal:otp-device-reset", args=[ministry_staff.pk])).status_code == 403
    )
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/security/two-factor/").status_code == 403
    assert (
        api_client.post(f"/api/v1/security/two-factor/{ministry_staff.pk}/reset/").status_code
        == 403
    )
    assert TOTPDevice.objects.filter(user=ministry_staff).exists()
    assert not AuditEntry.objects.filter(action="auth.otp_reset").exists()


# --- 三员分立: the separation of the three administrators ------------------------------------------

# Each administrator's own pages, admin site and portal; every other administrator is refused them.
OWN_PAGES = {
    "ministry_admin": [
        "/admin/tasks_catalog/program/",
        "/admin/portal/organisation/add/",
        "/admin/portal/user/add/",
        "/home/ministry/",
        "/consortia/",
    ],
    "security_admin": ["/admin/axes/accessattempt/", "/security/two-factor/", "/home/security/"],
    "audit_admin": ["/admin/portal/auditentry/", "/home/audit/"],
}
BUSINESS_PAGES = [
    "/consortia/",
    "/reports/",
    "/dashboards/",
    "/evaluations/",
    "/catalog/",
    "/notifications/",
    "/api/v1/consortia/",
    "/api/v1/programs/",
]


@pytest.mark.parametrize("role", list(OWN_PAGES))
def test_each_administrator_is_refused_the_others_pages(client, admins, role):
    client.force_login(admins[role])
    for owner, urls in OWN_PAGES.items():
        for url in urls:
            status = client.get(url).status_code
            if owner == role:
                assert status == 200, (role, url)
            else:
                assert status in (403, 404), (role, url, status)


@pytest.mark.parametrize("role", ["security_admin", "audit_admin"])
def test_security_and_audit_administrators_see_no_business_pages(client, admins, role):
    client.force_login(admins[role])
    for url in BUSINESS_PAGES:
        assert client.get(url).status_code in (403, 404), (role, url)
    home = client.get("/", follow=True)
    html = home.content.decode()
    assert f"/home/{role.split('_')[0]}/" in home.redirect_chain[0][0]
    assert reverse("consortia:consortium-list") not in html  # no business menu
    assert client.get("/api/v1/me/").status_code == 200


def test_the_homes_link_each_administrators_tools(client, admins):
    client.force_login(admins["security_admin"])
    html = client.get(
        reverse("portal:home-security"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for href in ("/security/two-factor/", "/security/lockouts/", "/security/tokens/"):
        assert f'href="{href}"' in html
    assert "安全管理员首页" in html
    client.force_login(admins["audit_admin"])
    html = client.get(reverse("portal:home-audit"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'href="/audit/"' in html
    assert "审计管理员首页" in html


def test_the_three_administrators_reach_the_admin_site(admins, ministry_staff):
    assert all(user.is_staff for user in admins.values())
    assert not ministry_staff.is_staff


def test_the_system_administrator_creates_users_without_a_role(client, admins):
    client.force_login(admins["ministry_admin"])
    form = client.get("/admin/portal/user/add/").content.decode()
    assert 'name="role"' not in form
    response = client.post(
        "/admin/portal/user/add/",
        {
            "username": "newcomer",
            "email": "newcomer@miit.example.cn",
            "organisation": User.objects.get(pk=admins["ministry_admin"].pk).organisation_id,
            "password1": "a-Long-passphrase-2026",
            "password2": "a-Long-passphrase-2026",
            "role": "ministry_admin",  # ignored: not the system administrator's to give
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.role == ""
    assert not newcomer.is_staff


def _change_form(user) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "organisation": user.organisation_id,
        "title": user.title,
        "phone": user.phone,
        "language": user.language,
        "is_active": "on",
        "_save": "1",
    }


def test_only_the_security_administrator_changes_a_role(client, admins, ministry_staff):
    url = f"/admin/portal/user/{ministry_staff.pk}/change/"
    # The system administrator edits details, not the role.
    client.force_login(admins["ministry_admin"])
    data = {**_change_form(ministry_staff), "role": "ministry_admin", "title": "处长"}
    assert client.post(url, data).status_code == 302
    ministry_staff.refresh_from_db()
    assert ministry_staff.role == "ministry_staff"
    assert ministry_staff.title == "处长"
    # The security administrator changes the role, and nothing else.
    client.force_login(admins["security_admin"])
    data = {**_change_form(ministry_staff), "role": "ministry_admin", "email": "x@evil.example"}
    assert client.post(url, data).status_code == 302
    ministry_staff.refresh_from_db()
    assert ministry_staff.role == "ministry_admin"
    assert ministry_staff.email != "x@evil.example"
    assert ministry_staff.is_staff
    assert list(ministry_staff.groups.values_list("name", flat=True)) == ["ministry_admin"]
    assert AuditEntry.objects.filter(action="user.change", actor=admins["security_admin"]).exists()
    # Not their own, and never a password.
    own = f"/admin/portal/user/{admins['security_admin'].pk}/change/"
    assert (
        client.post(
            own, {**_change_form(admins["security_admin"]), "role": "ministry_admin"}
        ).status_code
        == 403
    )
    assert client.get(f"/admin/portal/user/{ministry_staff.pk}/password/").status_code == 403
    # The audit administrator: neither.
    client.force_login(admins["audit_admin"])
    assert client.get(url).status_code == 403


def test_the_system_administrator_cannot_take_over_the_other_administrators(client, admins):
    client.force_login(admins["ministry_admin"])
    for role in ("security_admin", "audit_admin"):
        target = admins[role]
        assert client.get(f"/admin/portal/user/{target.pk}/password/").status_code == 403
        response = client.post(
            f"/admin/portal/user/{target.pk}/change/", {**_change_form(target), "is_active": ""}
        )
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.is_active


def test_the_audit_administrators_reads_of_the_log_are_audited(client, admins):
    client.force_login(admins["audit_admin"])
    assert client.get("/admin/portal/auditentry/?q=plan").status_code == 200
    entry = AuditEntry.objects.get(action="audit.read")
    assert entry.actor == admins["audit_admin"]
    assert entry.data["query"] == "q=plan"
