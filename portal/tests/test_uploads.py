"""Upload safety: only readable, unencrypted PDFs with enough pages; no orphan files on rollback."""

import hashlib
import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from pypdf import PdfWriter

from portal.uploads import CheckedPdf, check_pdf_upload, files_cleanup_on_error, store_file


def make_pdf(pages: int, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(content, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_pdf_upload(upload=content, **kwargs)
    assert len(caught.value.messages) == 1
    return caught.value


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_valid_pdf_is_accepted():
    content = make_pdf(3)
    checked = check_pdf_upload(upload=upload(content), min_pages=3)
    assert checked == CheckedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=3,
        size=len(content),
    )


def test_raw_bytes_and_a_plain_file_object_are_accepted():
    content = make_pdf(2)
    assert check_pdf_upload(upload=content).page_count == 2
    assert check_pdf_upload(upload=io.BytesIO(content)).page_count == 2


def test_an_upload_already_read_is_read_again_from_the_start():
    file = upload(make_pdf(2))
    file.read()
    assert check_pdf_upload(upload=file).page_count == 2


def test_a_byte_order_mark_and_white_space_before_the_header_are_tolerated():
    content = b"\xef\xbb\xbf\r\n  " + make_pdf(1)
    assert check_pdf_upload(upload=upload(content)).page_count == 1


def test_anything_else_before_the_header_is_refused():
    # Issue 13: a web page in front of "%PDF-" made a file both a PDF and a page.
    error = refusal(upload(b"\x00" * 1024 + make_pdf(1)))
    assert error.code == "leading_data"
    assert "before the start of the PDF" in error.messages[0]


def test_empty_file():
    error = refusal(upload(b""))
    assert error.code == "empty"
    assert "empty" in error.messages[0]


def test_too_large_is_refused_from_the_declared_size_without_reading():
    class Huge:
        size = 21 * 1024 * 1024
        name = "huge.pdf"

        def read(self, *args):
            raise AssertionError("must not be read")

    error = refusal(Huge())
    assert error.code == "too_large"
    assert "larger than 20 MB" in error.messages[0]
    assert "lower resolution" in error.messages[0]


def test_too_large_reads_at_most_one_byte_over_the_limit():
    content = make_pdf(2)

    class Unsized(io.BytesIO):
        read_total = 0

        def read(self, size=-1):
            assert size is not None, "must never read everything"
            assert size >= 0, "must never read everything"
            data = super().read(size)
            self.read_total += len(data)
            return data

    stream = Unsized(content)
    error = refusal(stream, max_bytes=100)
    assert error.code == "too_large"
    assert stream.read_total == 101
    assert "MB" in error.messages[0]


def test_too_large_uploaded_file_with_a_small_limit():
    error = refusal(upload(b"%PDF-" + b"x" * 300_000), max_bytes=200 * 1024)
    assert error.code == "too_large"
    assert error.messages[0] == (
        "The file is larger than 0.2 MB. Scan at a lower resolution and upload it again."
    )


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200,  # JPEG
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,  # PNG
        b"PK\x03\x04" + b"\x00" * 200 + b"word/document.xml",  # .docx
        b"\x00" * 1025 + b"%PDF-1.7\n",  # header too far into the file
    ],
    ids=["jpeg", "png", "docx", "late-header"],
)
def test_not_a_pdf_whatever_the_name_says(content):
    error = refusal(upload(content, name="scan.pdf"))
    assert error.code == "not_pdf"
    assert "not a PDF" in error.messages[0]


def test_encrypted_pdf():
    error = refusal(upload(make_pdf(2, password="secret")))
    assert error.code == "encrypted"
    assert "password" in error.messages[0]


def test_truncated_pdf():
    content = make_pdf(3)
    error = refusal(upload(content[: len(content) // 2]))
    assert error.code == "damaged"
    assert "damaged" in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + b"\x13garbage\x00" * 100,  # no end marker
        b"%PDF-1.7\n" + b"\x13garbage\x00" * 100 + b"\n%%EOF\n",  # end marker, nothing readable
        make_pdf(3)[:-200] + b"\n%%EOF\n",  # end marker re-added after a cut
    ],
    ids=["garbage", "garbage-with-eof", "cut-with-eof"],
)
def test_damaged_pdf(content, caplog):
    with caplog.at_level(logging.DEBUG):
        error = refusal(upload(content))
    assert error.code == "damaged"
    assert "damaged" in error.messages[0]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_repairable_pdf_is_accepted_without_pypdf_log_noise(caplog):
    content = make_pdf(3).replace(b"startxref\n", b"startxref\n9")  # wrong xref offset
    with caplog.at_level(logging.DEBUG):
        assert check_pdf_upload(upload=upload(content)).page_count == 3
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_pdf_without_pages_is_damaged():
    assert refusal(upload(make_pdf(0))).code == "damaged"


def test_too_few_pages():
    error = refusal(upload(make_pdf(2)), min_pages=3)
    assert error.code == "too_few_pages"
    assert error.messages[0] == (
        "The scan has 2 pages but the generated form has 3. Scan every page of the stamped form."
    )
    assert refusal(upload(make_pdf(1)), min_pages=3).messages[0].startswith("The scan has 1 page ")


def test_pypdf_log_level_is_restored():
    pypdf_logger = logging.getLogger("pypdf")
    before = pypdf_logger.level
    refusal(upload(b"%PDF-1.7\n" + b"junk" * 10 + b"\n%%EOF\n"))
    check_pdf_upload(upload=make_pdf(1))
    assert pypdf_logger.level == before


@pytest.mark.parametrize(
    ("content", "kwargs"),
    [
        (b"", {}),
        (make_pdf(1), {"max_bytes": 10}),
        (b"\x89PNG\r\n\x1a\n", {}),
        (make_pdf(1, password="secret"), {}),
        (b"%PDF-1.7\ngarbage", {}),
        (make_pdf(1), {"min_pages": 2}),
    ],
)
def test_messages_are_strings_in_chinese(content, kwargs):
    with translation.override("zh-hans"):
        error = refusal(upload(content), **kwargs)
        assert isinstance(error.messages[0], str)
        assert error.messages[0]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_store_file_returns_the_stored_name(media):
    name = store_file(content=b"%PDF-1.7 data", path="plans/12/scan-abc.pdf")
    assert name == "plans/12/scan-abc.pdf"
    assert (media / name).read_bytes() == b"%PDF-1.7 data"
    assert store_file(content=b"other", path="plans/12/scan-abc.pdf") != name


@pytest.mark.django_db
def test_a_stored_name_always_fits_its_column_even_when_long_and_taken(media):
    # A plan version's form: plans/versions/<pk>/v<n>-form-<sha256>.pdf is ~95 characters; a
    # second file under the same name (a restored database reusing ids) once overflowed varchar(100).
    path = f"plans/versions/123456/v12-form-{'f' * 64}.pdf"
    first = store_file(content=b"one", path=path)
    second = store_file(content=b"two", path=path)
    assert first != second
    for name in (first, second):
        assert len(name) <= 100
        assert name.endswith(".pdf")
    assert (media / second).read_bytes() == b"two"


@pytest.mark.django_db
def test_files_are_deleted_when_the_transaction_fails(media):
    # The error must leave the very block that stored the files (PT012 wants one statement).
    with pytest.raises(RuntimeError, match="boom"), files_cleanup_on_error(), transaction.atomic():  # noqa: PT012
        first = store_file(content=b"one", path="plans/1/a.pdf")
        second = store_file(content=b"two", path="plans/1/b.pdf")
        assert default_storage.exists(first)
        assert default_storage.exists(second)
        raise RuntimeError("boom")
    assert not default_storage.exists(first)
    assert not default_storage.exists(second)


@pytest.mark.django_db
def test_files_are_kept_when_the_transaction_succeeds(media):
    with files_cleanup_on_error(), transaction.atomic():
        name = store_file(content=b"one", path="plans/1/a.pdf")
    assert (media / name).read_bytes() == b"one"


@pytest.mark.django_db
def test_nested_blocks_hand_their_files_to_the_enclosing_one(media):
    # The error must leave the very block that stored the files (PT012 wants one statement).
    with pytest.raises(ValueError, match="outer"), files_cleanup_on_error(), transaction.atomic():  # noqa: PT012
        outer = store_file(content=b"outer", path="plans/2/outer.pdf")
        with files_cleanup_on_error(), transaction.atomic():
            inner = store_file(content=b"inner", path="plans/2/inner.pdf")
        assert default_storage.exists(inner)
        raise ValueError("outer")
    assert not default_storage.exists(outer)
    assert not default_storage.exists(inner)


@pytest.mark.django_db
def test_a_failed_inner_block_deletes_only_its_own_files(media):
    with files_cleanup_on_error(), transaction.atomic():
        outer = store_file(content=b"outer", path="plans/3/outer.pdf")
        # The error must leave the very block that stored the file (PT012 wants one statement).
        with (  # noqa: PT012
            pytest.raises(ValueError, match="inner"),
            files_cleanup_on_error(),
            transaction.atomic(),
        ):
            inner = store_file(content=b"inner", path="plans/3/inner.pdf")
            raise ValueError("inner")
    assert default_storage.exists(outer)
    assert not default_storage.exists(inner)


@pytest.mark.django_db
def test_store_file_in_a_transaction_without_cleanup_warns(media, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.uploads"):
        store_file(content=b"x", path="plans/4/x.pdf")
    assert "files_cleanup_on_error" in caplog.text
