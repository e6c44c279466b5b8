"""Security suite, uploads (issue 13, items 1 and 2): files built to exhaust the server (bombs)
and files that carry active content are refused — as a stamped scan and as evidence, through the
page and the API — quickly, with a message that says why, and nothing is stored.

The hostile files are built here, small: the limits are settings, lowered where a bomb would
otherwise have to be large to exceed them. Through the pages and the API the checks run in the
bounded child process, as in production (``UPLOAD_CHECK_IN_SUBPROCESS``); the families of files
run the same checks in the test process, which is faster.
"""

import datetime as dt
import io
import struct
import time
import zipfile
import zlib
from functools import cache
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from consortia.models import Plan
from consortia.samples import blank_pdf
from consortia.tests.conftest import make_ready_plan
from portal.uploads import check_pdf_upload
from reporting.conftest import make_pilot
from reporting.periods.evidence import check_evidence_upload
from reporting.periods.models import Evidence
from tasks_catalog.models import Program

QUICK = 10  # seconds: a refusal comes well within this (measured loosely, not a benchmark)
MB = 1024 * 1024


# --- building hostile files -------------------------------------------------------------------


def write_pdf(direct: dict[int, bytes], packed: dict[int, tuple[list, int]] | None = None) -> bytes:
    """A PDF with ``direct`` objects ({number: body}) and object streams ({stream number:
    ([(number, body) …], bytes of padding)}), indexed by a cross-reference stream; object 1 is
    the catalogue."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    inside: dict[int, tuple[int, int]] = {}
    for number, body in direct.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for stream, (members, padding, *columns) in (packed or {}).items():
        pairs, bodies = [], b""
        for index, (number, body) in enumerate(members):
            pairs.append(b"%d %d" % (number, len(bodies)))
            bodies += body + b"\n"
            inside[number] = (stream, index)
        header = b" ".join(pairs) + b"\n"
        parms = b""
        if columns:  # rows of PNG "Up" differences: the text no longer shows in the bytes
            parms = b"/DecodeParms << /Predictor 12 /Columns %d >>" % columns[0]
            data = deflate(png_up_rows(header + bodies, columns[0]), 0)
        else:
            data = deflate(header + bodies, padding)
        offsets[stream] = len(out)
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode %s /Length %d >>\n"
            % (
                stream,
                len(members),
                len(header),
                parms,
                len(data),
            )
        )
        out += b"stream\n" + data + b"\nendstream\nendobj\n"
    xref = max([*offsets, *inside]) + 1
    offsets[xref] = len(out)
    rows = b""
    for number in range(xref + 1):
        if number in offsets:
            rows += struct.pack(">BIH", 1, offsets[number], 0)
        elif number in inside:
            rows += struct.pack(">BIH", 2, *inside[number])
        else:
            rows += struct.pack(">BIH", 0, 0, 65535)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref,
        xref + 1,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(out)


def png_up_rows(text: bytes, width: int) -> bytes:
    """``text`` as rows of ``width`` bytes, each stored as its difference from the row above."""
    text += b" " * (-len(text) % width)
    out, above = b"", bytes(width)
    for start in range(0, len(text), width):
        row = text[start : start + width]
        out += b"\x02" + bytes((row[i] - above[i]) % 256 for i in range(width))
        above = row
    return out


def deflate(prefix: bytes, padding: int) -> bytes:
    """``prefix`` followed by ``padding`` spaces, compressed (1 MB of spaces is ~1 KB)."""
    compressor = zlib.compressobj(1)
    out = [compressor.compress(prefix)]
    chunk = b" " * MB
    for _ in range(padding // MB):
        out.append(compressor.compress(chunk))
    out.append(compressor.compress(b" " * (padding % MB)))
    out.append(compressor.flush())
    return b"".join(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def pages_node(kids: list[int]) -> bytes:
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    return b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))


@cache
def object_stream_bomb(pages: int = 3, each: int = 3 * MB) -> bytes:
    """The probe's bomb, scaled: every page sits in its own object stream, padded to ``each``
    bytes once inflated (a few KB on disk)."""
    kids = list(range(10, 10 + pages))
    return write_pdf(
        {1: CATALOG, 2: pages_node(kids)},
        {100 + i: ([(kid, PAGE)], each) for i, kid in enumerate(kids)},
    )


@cache
def page_count_bomb(pages: int = 33_000) -> bytes:
    """One page object listed ``pages`` times in the page tree: ~200 KB."""
    return write_pdf({1: CATALOG, 2: pages_node([3] * pages), 3: PAGE})


@cache
def nested_page_tree_bomb(depth: int = 16) -> bytes:
    """Every page-tree node lists the next one twice: 2**depth pages from ~20 objects."""
    nodes = {2 + level: pages_node([3 + level] * 2) for level in range(depth)}
    nodes[2 + depth] = pages_node([100])
    return write_pdf({1: CATALOG, **nodes, 100: PAGE})


def cyclic_page_tree() -> bytes:
    return write_pdf({1: CATALOG, 2: pages_node([4, 3]), 3: PAGE, 4: pages_node([2])})


def pdf_with(catalog_extra: bytes, *others: tuple[int, bytes]) -> bytes:
    """One page, and the catalogue extended with ``catalog_extra`` (objects from 4 on)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra
    return write_pdf({1: catalog, 2: pages_node([3]), 3: PAGE, **dict(others)})


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."

JAVASCRIPT = pdf_with(b"/OpenAction 4 0 R", (4, b"<< /S /JavaScript /JS (app.alert(1)) >>"))
JAVASCRIPT_ESCAPED = pdf_with(b"/Names << /Java#53cript 4 0 R >>", (4, b"<< /Names [] >>"))
JAVASCRIPT_PACKED = write_pdf(
    {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", 2: pages_node([3]), 3: PAGE},
    {10: ([(4, b"<< /S /JavaScript /JS (app.alert(1)) >>")], 0)},
)
JAVASCRIPT_BEHIND_A_PREDICTOR = write_pdf(  # only pypdf's reading of the objects shows it
    {1: b"<< /Type /Catalog /Pages 2 0 R /Names 6 0 R >>", 2: pages_node([3])},
    {
        10: (
            [
                (3, PAGE),
                (5, b"<< /Names [(x) << /S /JavaScript /JS (app.alert(1)) >>] >>"),
                (6, b"<< /JavaScript 5 0 R >>"),
            ],
            0,
            8,
        )
    },
)
OPEN_ACTION_URI = pdf_with(b"/OpenAction << /S /URI /URI (http://evil.example/) >>")
LAUNCH_EXE = pdf_with(
    b"/OpenAction << /S /Launch /F (payload.exe) >> "
    b"/Names << /EmbeddedFiles << /Names [(payload.exe) 5 0 R] >> >>",
    (5, b"<< /Type /Filespec /F (payload.exe) /EF << /F 6 0 R >> >>"),
    (6, b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream" % (len(EXE), EXE)),
)
GOTO_OPEN_ACTION = pdf_with(b"/OpenAction [3 0 R /Fit]")
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
JAVASCRIPT_LINK = pdf_with(
    b"", (4, b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (javascript:alert(1)) >> >>")
)


def html_after_the_header() -> bytes:
    first_line, rest = blank_pdf(1).split(b"\n", 1)
    return first_line + b"\n" + HTML + rest


def png(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG")
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def office(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx-shaped zip, with ``extra`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@cache
def zip_bomb(size: int = 9 * MB) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\x00" * MB
            for _ in range(size // MB):
                member.write(chunk)
    return buffer.getvalue()


FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(storage: str) -> bytes:
    """A minimal legacy Office (compound) file: a root holding one empty storage ``storage``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    fat = struct.pack("<II", FATSECT, END) + struct.pack("<I", FREE) * 126

    def entry(name: str, kind: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NOSTREAM, NOSTREAM, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<III", END if kind != 1 else 0, 0, 0)
        )

    directory = entry("Root Entry", 5, 1) + entry(storage, 1, NOSTREAM) + entry("", 0, NOSTREAM) * 2
    return header + fat + directory


def upload(content: bytes, name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def limits(settings):
    """Bombs scaled to small limits."""
    settings.UPLOAD_MAX_INFLATED_BYTES = 8 * MB
    settings.UPLOAD_MAX_PAGES = 500


@pytest.fixture
def child(settings):
    """Checks in the bounded child process, as in production (a child costs ~0.5 s, so the
    families below run the same checks in the test process, and the pages and the API here)."""
    settings.UPLOAD_CHECK_IN_SUBPROCESS = True


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def on(day: str):
    return mock.patch("django.utils.timezone.localdate", return_value=dt.date.fromisoformat(day))


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def stored_files() -> set[str]:
    found = set()

    def walk(folder):
        directories, files = default_storage.listdir(folder)
        found.update(f"{folder}/{f}".lstrip("/") for f in files)
        for directory in directories:
            walk(f"{folder}/{directory}".lstrip("/"))

    walk("")
    return found


def refused(check, content: bytes, **kwargs) -> ValidationError:
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        check(upload=upload(content), **kwargs)
    assert time.monotonic() - started < QUICK
    assert len(caught.value.messages) == 1
    return caught.value


# --- the families, through the check functions -------------------------------------------------

BOTH = pytest.mark.parametrize("check", [check_pdf_upload, check_evidence_upload])

PDF_CASES = [
    ("object-stream bomb", object_stream_bomb, "inflated", "expands to more than 8 MB"),
    ("33,000 pages", page_count_bomb, "pages", "more than 500 pages"),
    ("65,536 pages in a nested tree", nested_page_tree_bomb, "pages", "more than 500 pages"),
    ("a page tree in a circle", cyclic_page_tree, "damaged", "damaged"),
    ("JavaScript opening action", lambda: JAVASCRIPT, "active", "contains JavaScript"),
    ("JavaScript in an object stream", lambda: JAVASCRIPT_PACKED, "active", "contains JavaScript"),
    (
        "JavaScript behind a predictor",
        lambda: JAVASCRIPT_BEHIND_A_PREDICTOR,
        "active",
        "contains JavaScript",
    ),
    ("escaped JavaScript name", lambda: JAVASCRIPT_ESCAPED, "active", "contains JavaScript"),
    ("web address on opening", lambda: OPEN_ACTION_URI, "active", "runs on opening"),
    ("Launch with an embedded exe", lambda: LAUNCH_EXE, "active", "refused, not cleaned"),
    ("HTML before %PDF", lambda: HTML + blank_pdf(1), "leading_data", "before the start"),
    ("HTML after %%EOF", lambda: blank_pdf(1) + HTML, "trailing_data", "after its end"),
    ("HTML after the header", html_after_the_header, "markup", "web-page code"),
    ("a javascript: link", lambda: JAVASCRIPT_LINK, "markup", "web-page code"),
]


@BOTH
@pytest.mark.parametrize(
    ("build", "code", "message"),
    [case[1:] for case in PDF_CASES],
    ids=[case[0] for case in PDF_CASES],
)
def test_hostile_pdfs_are_refused_as_scan_and_as_evidence(check, build, code, message):
    error = refused(check, build())
    assert error.code == code
    assert message in error.messages[0]


EVIDENCE_CASES = [
    ("zip bomb", zip_bomb, "inflated", "expands to more than 8 MB"),
    ("PNG then HTML", lambda: png() + HTML, "trailing_data", "after its end"),
    ("PNG signature then HTML", lambda: b"\x89PNG\r\n\x1a\n" + HTML, "damaged_image", "damaged"),
    ("JPEG then HTML", lambda: jpeg() + HTML, "trailing_data", "after its end"),
    ("JPEG signature then HTML", lambda: b"\xff\xd8\xff\xe0" + HTML, "damaged_image", "damaged"),
    (
        "Office with payload.exe",
        lambda: office({"word/payload.exe": EXE}),
        "program",
        "payload.exe",
    ),
    (
        "Office with a program named as an image",
        lambda: office({"word/media/image1.png": EXE}),
        "program",
        "image1.png",
    ),
    (
        "Office with macros",
        lambda: office({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}),
        "macro",
        "contains macros",
    ),
    ("legacy Office with macros", lambda: compound_file("Macros"), "macro", "contains macros"),
    (
        "legacy Office then HTML",
        lambda: compound_file("WordDocument") + HTML,
        "hidden_data",
        "outside its contents",
    ),
    ("HTML before an Office zip", lambda: HTML + office(), "file_type", "Evidence must be"),
    ("Office zip then HTML", lambda: office() + HTML, "hidden_data", "outside its contents"),
]


@pytest.mark.parametrize(
    ("build", "code", "message"),
    [case[1:] for case in EVIDENCE_CASES],
    ids=[case[0] for case in EVIDENCE_CASES],
)
def test_hostile_evidence_is_refused(build, code, message):
    error = refused(check_evidence_upload, build())
    assert error.code == code
    assert message in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [blank_pdf(2), GOTO_OPEN_ACTION, png(), jpeg(), office(), compound_file("WordDocument")],
    ids=["pdf", "pdf-opening-on-a-page", "png", "jpeg", "docx", "doc"],
)
def test_plain_files_are_still_accepted(content):
    assert check_evidence_upload(upload=upload(content)).size == len(content)


def test_too_many_objects_and_too_many_pixels(settings):
    settings.UPLOAD_MAX_PDF_OBJECTS = 50
    error = refused(check_pdf_upload, blank_pdf(60))
    assert error.code == "objects"
    assert "more than 50 objects" in error.messages[0]
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    error = refused(check_evidence_upload, png((1001, 1000)))
    assert error.code == "pixels"
    assert "more than 1 million pixels" in error.messages[0]


def test_the_page_limit_never_reaches_the_database_limit(settings, child):
    settings.UPLOAD_MAX_PAGES = 40_000  # above smallint: clamped to 32,767
    error = refused(check_pdf_upload, page_count_bomb())
    assert error.code == "pages"
    assert "more than 32767 pages" in error.messages[0]


def test_a_check_that_runs_too_long_is_stopped(settings, child, tmp_path, monkeypatch):
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(30)\n")
    monkeypatch.setattr("portal.uploads.FILECHECK_SCRIPT", slow)
    settings.UPLOAD_CHECK_SECONDS = 1
    error = refused(check_pdf_upload, blank_pdf(1))
    assert error.code == "timeout"
    assert "took too long to check" in error.messages[0]


def test_a_check_that_needs_too_much_memory_is_stopped(settings, child):
    settings.UPLOAD_CHECK_MEMORY_BYTES = 16 * MB  # below what the check needs
    error = refused(check_pdf_upload, blank_pdf(1))
    assert error.code == "too_complex"
    assert "too much memory" in error.messages[0]


def test_messages_are_in_chinese_too(child):
    with translation.override("zh-hans"):
        error = refused(check_pdf_upload, JAVASCRIPT)
    assert "JavaScript" in error.messages[0]
    assert "主动" in error.messages[0] or "脚本" in error.messages[0]


# --- through the pages and the API, nothing stored ------------------------------------------


@pytest.fixture
def draft_plan(province_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with on("2026-03-01"):
        plan = make_ready_plan(province_user, Program.objects.get(code="idfa-2026"))
    settings.UPLOAD_CHECK_IN_SUBPROCESS = True
    return plan


@pytest.fixture
def pilot(province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    pilot = make_pilot(province_user, ministry_staff)
    settings.UPLOAD_CHECK_IN_SUBPROCESS = True
    return pilot


@pytest.mark.django_db
def test_a_bomb_as_scan_is_refused_through_the_api_and_the_page(draft_plan, province_user, client):
    before = Plan.objects.get(pk=draft_plan.pk).scan_sha256
    files = stored_files()
    url = f"/api/v1/consortia/{draft_plan.consortium.pk}/plan/scan/"
    started = time.monotonic()
    response = api(province_user).post(
        url, {"file": upload(object_stream_bomb())}, format="multipart"
    )
    assert time.monotonic() - started < QUICK
    assert response.status_code == 400
    assert response.json()["code"] == "inflated"
    assert "expands to more than 8 MB" in response.json()["errors"]["file"][0]

    client.force_login(province_user)
    page = reverse("consortia:scan", args=[draft_plan.consortium.pk])
    for content, message in (
        (LAUNCH_EXE, "Files with active content are refused, not cleaned"),
        (page_count_bomb(), "more than 500 pages"),
    ):
        response = client.post(page, {"file": upload(content)}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        shown = [str(m) for m in get_messages(response.wsgi_request)]
        assert any(message in m for m in shown), shown
    assert Plan.objects.get(pk=draft_plan.pk).scan_sha256 == before
    assert stored_files() == files


@pytest.mark.django_db
def test_someone_who_may_not_upload_is_refused_before_the_file_is_checked(
    draft_plan, ministry_staff, client
):
    url = f"/api/v1/consortia/{draft_plan.consortium.pk}/plan/scan/"
    with mock.patch("portal.uploads.inspect_upload", side_effect=AssertionError("checked")):
        response = api(ministry_staff).post(
            url, {"file": upload(object_stream_bomb())}, format="multipart"
        )
        assert response.status_code in (403, 404)
        client.force_login(ministry_staff)
        page = reverse("consortia:scan", args=[draft_plan.consortium.pk])
        assert client.post(page, {"file": upload(LAUNCH_EXE)}).status_code in (403, 404)


@pytest.mark.django_db
def test_hostile_evidence_is_refused_through_the_api_and_the_page(pilot, client):
    from reporting.periods.tests.test_report_form import form_data

    base = f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/"
    lead = api(pilot.lead)
    with on("2026-07-01"):
        assert lead.post(base + "start/").status_code in (200, 201)
    files = stored_files()
    with on("2026-07-02"):
        response = lead.post(
            base + "evidence/4/", {"file": upload(zip_bomb(), "a.docx")}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "inflated"
        response = lead.post(
            base + "evidence/4/", {"file": upload(png() + HTML, "a.png")}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "trailing_data"

        from reporting.periods.models import ProgressReport

        report = ProgressReport.objects.get(consortium=pilot.consortium, period=pilot.q2)
        client.force_login(pilot.lead)
        data = form_data(report, intent="upload-4")
        data["t4_file"] = upload(office({"word/payload.exe": EXE}), "报告.docx")
        page = reverse("reporting:report-detail", args=[pilot.consortium.pk, "2026-q2"])
        response = client.post(page, data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "contains a program or script (word/payload.exe)" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files() == files
