"""Security suite, response headers (issue 13, item 8): every response carries a strict
Content-Security-Policy (no inline script or style), a Permissions-Policy, Referrer-Policy and
Cross-Origin-Opener-Policy; the API docs work under that policy; gunicorn does not name itself."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, set[str]]:
    policy = response.headers["Content-Security-Policy"]
    out = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *values = part.split()
        out[name] = set(values)
    return out


def assert_hardened(response, *, inline_style: bool = False):
    csp = directives(response)
    assert csp["default-src"] == {"'self'"}
    assert csp["script-src"] == {"'self'"}  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert csp["style-src"] == ({"'self'", "'unsafe-inline'"} if inline_style else {"'self'"})
    assert csp["img-src"] == {"'self'", "data:"}
    assert csp["object-src"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["form-action"] == {"'self'"}
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response.headers


def test_pages_api_admin_and_errors_carry_the_headers(client, ministry_admin):
    assert_hardened(client.get("/accounts/login/"))
    client.force_login(ministry_admin)
    home = client.get("/home/ministry/")
    assert home.status_code == 200
    assert_hardened(home)
    assert_hardened(client.get("/api/v1/programs/"))
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert_hardened(admin)
    missing = client.get("/consortia/999999/")
    assert missing.status_code == 404
    assert_hardened(missing)


def test_api_docs_load_their_script_from_a_url_not_inline(client, ministry_staff):
    client.force_login(ministry_staff)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert_hardened(docs)
    html = docs.content.decode()
    assert "<style" not in html
    assert "<script>" not in html  # every script has a src
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    # Redoc's styled-components writes <style> elements: that page alone allows inline style.
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert_hardened(redoc, inline_style=True)
    assert directives(redoc)["worker-src"] == {"'self'", "blob:"}  # its search worker
    assert "worker-src" not in directives(docs)
    assert "<script>" not in redoc.content.decode()
    assert "fonts.googleapis" not in redoc.content.decode()


def test_no_template_has_inline_script_style_or_event_handlers():
    """The policy is strict, so the templates must be: pages (not the PDF templates, which
    WeasyPrint renders on the server) hold no <style>, style="", on…="" or inline <script>."""
    import re

    offenders = []
    folders = ("templates", "portal", "consortia", "reporting", "tasks_catalog")
    for path in (p for folder in folders for p in (ROOT / folder).glob("**/*.html")):
        if "pdf" in path.parts:
            continue
        text = path.read_text()
        for pattern in (
            r"<style",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"<script(?![^>]*\ssrc=)(?![^>]*json)",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_does_not_name_itself_or_its_version():
    """portal/gunicorn.conf.py (./dev web, Dockerfile, docker-compose.yml): ``Server: portal``."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")} | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "WEB_CONCURRENCY": "1",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/portal.css")  # noqa: S310
                break
            except urllib.error.HTTPError as exc:
                response = exc
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        server = response.headers.get_all("Server")
        assert server == ["portal"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    for name in ("dev", "Dockerfile", "docker-compose.yml"):
        assert "portal/gunicorn.conf.py" in (ROOT / name).read_text(), name
