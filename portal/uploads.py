"""Upload safety for scanned PDFs: check what was uploaded, then store it without leaving orphans.

``check_pdf_upload`` refuses anything that is not a readable, unencrypted PDF with enough pages,
raising ``ValidationError`` with a stable ``code`` and a translated, user-facing message.
``store_file`` saves the bytes to ``default_storage``; wrapped in ``files_cleanup_on_error()``
around a ``transaction.atomic()`` block, the stored files are deleted again if the block fails.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pypdf import PdfReader

logger = logging.getLogger(__name__)

PDF_SIGNATURE = b"%PDF-"
MAX_LEADING_JUNK = 1024  # the PDF header may start anywhere in the first 1024 bytes
EOF_MARKER = b"%%EOF"
EOF_WINDOW = 2048  # the end-of-file marker must be within the last 2048 bytes
READ_CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024


class Readable(Protocol):
    """A file-like upload: Django's ``UploadedFile`` or anything with ``read()``."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class CheckedPdf:
    """An accepted PDF upload."""

    content: bytes  # the whole file
    sha256: str  # hex digest of content
    page_count: int
    size: int


def check_pdf_upload(
    *,
    upload: Readable | bytes | bytearray | memoryview,
    min_pages: int | None = None,
    max_bytes: int | None = None,
) -> CheckedPdf:
    """Read an upload and return it as a ``CheckedPdf``, or refuse it with ``ValidationError``.

    ``upload`` is a Django ``UploadedFile``, any object with ``.read()`` (``.size`` and ``.name``
    are optional), or raw bytes. The file name and declared content type are ignored: only the
    content counts. Codes: ``empty``, ``too_large``, ``not_pdf``, ``encrypted``, ``damaged``,
    ``too_few_pages``. ``max_bytes`` defaults to ``settings.UPLOAD_MAX_BYTES``; a file whose
    declared ``.size`` is over the limit is refused without being read, and at most
    ``max_bytes + 1`` bytes are ever read.
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    content = _read_limited(upload, limit)
    if not content:
        raise ValidationError(
            _("The file is empty. Choose the scanned PDF and upload it again."), code="empty"
        )
    if len(content) > limit:
        raise _too_large(limit)
    if content.find(PDF_SIGNATURE, 0, MAX_LEADING_JUNK + len(PDF_SIGNATURE)) < 0:
        raise ValidationError(
            _("The file is not a PDF. Save or export the scan as a PDF file and upload it again."),
            code="not_pdf",
        )
    damaged = ValidationError(
        _("The PDF is damaged or incomplete. Scan the form again and upload the new file."),
        code="damaged",
    )
    if EOF_MARKER not in content[-EOF_WINDOW:]:
        raise damaged  # truncated: the upload or the scanner stopped before the end
    with _pypdf_silenced():
        try:
            reader = PdfReader(io.BytesIO(content), strict=False)
            encrypted = reader.is_encrypted
            # Reading every page's box resolves every page object: a broken page tree raises.
            page_count = 0 if encrypted else len([page.mediabox for page in reader.pages])
        except Exception as exc:  # pypdf raises PdfReadError, PdfStreamError and plain errors
            raise damaged from exc
    if encrypted:
        raise ValidationError(
            _("The PDF is protected by a password. Save a copy without a password and upload it."),
            code="encrypted",
        )
    if page_count == 0:
        raise damaged
    if min_pages is not None and page_count < min_pages:
        raise ValidationError(
            ngettext(
                "The scan has %(pages)s page but the generated form has %(expected)s. "
                "Scan every page of the stamped form.",
                "The scan has %(pages)s pages but the generated form has %(expected)s. "
                "Scan every page of the stamped form.",
                page_count,
            ),
            code="too_few_pages",
            params={"pages": page_count, "expected": min_pages},
        )
    return CheckedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=page_count,
        size=len(content),
    )


def _too_large(limit: int) -> ValidationError:
    megabytes = limit / MEGABYTE
    shown = f"{megabytes:.1f}".removesuffix(".0") if megabytes >= 0.1 else f"{megabytes:.2g}"
    return ValidationError(
        _("The file is larger than %(limit)s MB. Scan at a lower resolution and upload it again."),
        code="too_large",
        params={"limit": shown},
    )


def _read_limited(upload: Readable | bytes | bytearray | memoryview, limit: int) -> bytes:
    """The upload's bytes, stopping after ``limit + 1`` so that an oversized file is never held."""
    if isinstance(upload, bytes | bytearray | memoryview):
        return bytes(upload)
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_large(limit)
    with suppress(AttributeError, OSError, ValueError):  # not seekable: read from where it is
        upload.seek(0)  # type: ignore[attr-defined]  # a form may already have read it
    parts: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = upload.read(min(READ_CHUNK, remaining))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


_silence_lock = threading.Lock()
_silence_depth = 0
_saved_level = logging.NOTSET


@contextmanager
def _pypdf_silenced() -> Iterator[None]:
    """Mute the "pypdf" loggers (repair notices on broken files) while checking; thread-safe."""
    global _silence_depth, _saved_level
    pypdf_logger = logging.getLogger("pypdf")
    with _silence_lock:
        if _silence_depth == 0:
            _saved_level = pypdf_logger.level
            pypdf_logger.setLevel(logging.CRITICAL + 1)
        _silence_depth += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silence_depth -= 1
            if _silence_depth == 0:
                pypdf_logger.setLevel(_saved_level)


# Names stored by store_file() inside the innermost files_cleanup_on_error() block, if any.
_stored_names: ContextVar[list[str] | None] = ContextVar("portal_uploads_stored", default=None)


# Django's FileField default: every file column of the project is a varchar(100).
STORED_NAME_MAX = 100


def store_file(*, content: bytes, path: str, max_length: int = STORED_NAME_MAX) -> str:
    """Save ``content`` to ``default_storage`` under ``path`` and return the stored name.

    ``path`` is relative, e.g. ``"plans/12/scan-<sha>.pdf"``; the storage may change the name
    if it is taken, so keep the returned one. The returned name always fits ``max_length`` (the
    column it goes into): a long or taken name is shortened by the storage, never left for the
    database to refuse. Inside ``files_cleanup_on_error()`` the file is
    deleted again if the block raises: always use it when the name is written to the database
    in a transaction, otherwise a rollback leaves an orphan file behind.
    """
    name = default_storage.save(path, ContentFile(content), max_length=max_length)
    stored = _stored_names.get()
    if stored is not None:
        stored.append(name)
    elif transaction.get_connection().in_atomic_block:
        logger.warning(
            "store_file(%s) inside a transaction without files_cleanup_on_error(): "
            "the file stays if the transaction rolls back",
            name,
        )
    return name


@contextmanager
def files_cleanup_on_error() -> Iterator[None]:
    """Delete the files stored by ``store_file`` in this block if the block raises.

    Django has no ``on_rollback`` hook, so wrap it around the transaction, outermost::

        with files_cleanup_on_error(), transaction.atomic():
            name = store_file(content=..., path=...)
            ...  # if anything raises, the file is deleted and no row remains

    The exception is re-raised unchanged. Put nothing after the ``atomic()`` block inside
    this one: an error there would delete files whose rows were already committed. Blocks
    nest: an inner block that succeeds hands its files to the enclosing one, whose
    transaction may still roll back. An exception caught inside the block (e.g. around an
    inner savepoint) does not trigger the cleanup.
    """
    parent = _stored_names.get()
    names: list[str] = []
    token = _stored_names.set(names)
    try:
        yield
    except BaseException:
        for name in reversed(names):
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("could not delete %s after a failed transaction", name)
        raise
    else:
        if parent is not None:
            parent.extend(names)
    finally:
        _stored_names.reset(token)


def stored_file_response(*, name: str, filename: str, content_type: str):
    """Send a stored file as a download (callers check permission first); 404 when it is gone."""
    from django.http import FileResponse, Http404

    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
