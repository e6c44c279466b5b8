"""Project-wide checks: migrations, deploy settings, OpenAPI schema, API conventions."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_makemigrations_is_clean():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-secret-from-the-environment-" + "z" * 20,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.production", ALLOWED_HOSTS="x")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_openapi_schema_generates_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    schema = (tmp_path / "schema.yaml").read_text()
    for path in [
        "/api/v1/programs/",
        "/api/v1/reference-tasks/",
        "/api/v1/organisations/",
        "/api/v1/me/",
    ]:
        assert f"{path}:" in schema


def test_api_docs_pages_are_served_without_a_cdn(client, ministry_staff):
    client.force_login(ministry_staff)
    for url in ["/api/docs/", "/api/redoc/"]:
        html = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html
        assert "unpkg" not in html
    assert client.get("/api/schema/").status_code == 200


def test_api_pagination_and_filtering_conventions(api_client, ministry_staff):
    api_client.force_authenticate(ministry_staff)
    page = api_client.get(
        "/api/v1/organisations/", {"kind": "provincial_authority", "page_size": 10}
    ).json()
    assert page["count"] == 37
    assert len(page["results"]) == 10
    assert page["next"]
    search = api_client.get("/api/v1/organisations/", {"search": "兵团"}).json()
    assert [o["code"] for o in search["results"]] == ["660000"]
    ordered = api_client.get(
        "/api/v1/reference-tasks/", {"ordering": "-number", "page_size": 1}
    ).json()
    assert ordered["results"][0]["number"] == 23


def test_token_authentication(api_client, province_user):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": province_user.username, "password": "pass-for-tests-1"}
    )
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["username"] == province_user.username


def test_organisations_are_seeded_in_both_languages(api_client, consortium_member):
    api_client.force_authenticate(consortium_member)
    body = api_client.get(
        "/api/v1/organisations/",
        {"kind": "provincial_authority", "page_size": 100},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    regions = {o["region_type"] for o in body["results"]}
    assert body["count"] == 37  # 31 + 5 cities with independent planning status + XPCC
    assert regions == {"province", "autonomous_region", "municipality", "planning_city", "xpcc"}
    assert sum(o["region_type"] == "planning_city" for o in body["results"]) == 5
    for org in body["results"]:
        assert org["name_zh"]
        assert org["name_en"]
        assert org["name"] == org["name_en"]


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


@pytest.mark.parametrize(
    "code",
    [
        "import portal.wsgi",
        "import runpy, sys; sys.argv = ['manage.py', 'check']; runpy.run_path('manage.py', run_name='__main__')",
        "import portal.celery",
    ],
)
def test_a_server_gets_production_settings_unless_told_otherwise(code):
    """No DJANGO_SETTINGS_MODULE: production, which refuses to start without its secrets (and
    never serves debug pages); with them, DEBUG is off."""
    bare = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    refused = subprocess.run(
        [sys.executable, "-c", code + "; import django.conf; django.conf.settings.DEBUG"],
        cwd=settings.BASE_DIR,
        env=bare,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    secrets = {**bare, "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "portal.example.gov.cn"}
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import portal.wsgi; from django.conf import settings as s; "
            "print(s.DEBUG, s.SETTINGS_MODULE)",
        ],
        cwd=settings.BASE_DIR,
        env=secrets,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.stdout.split() == ["False", "portal.settings.production"], started.stderr
