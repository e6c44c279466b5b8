"""Upload safety: check what was uploaded, then store it without leaving orphans.

``check_pdf_upload`` refuses anything that is not a readable, unencrypted PDF with enough pages,
no active content and bounded work, raising ``ValidationError`` with a stable ``code`` and a
translated, user-facing message; ``inspect_upload`` runs the whole-file checks of
``portal.filecheck`` (PDF, images, office documents) in a bounded child process.
``store_file`` saves the bytes to ``default_storage``; wrapped in ``files_cleanup_on_error()``
around a ``transaction.atomic()`` block, the stored files are deleted again if the block fails.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

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
    content counts, all of it (``inspect_upload``). Codes: ``empty``, ``too_large``,
    ``too_few_pages`` and those of ``refusal_message``. ``max_bytes`` defaults to
    ``settings.UPLOAD_MAX_BYTES``; a file whose declared ``.size`` is over the limit is refused
    without being read, and at most ``max_bytes + 1`` bytes are ever read.
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    content = _read_limited(upload, limit)
    if not content:
        raise ValidationError(
            _("The file is empty. Choose the scanned PDF and upload it again."), code="empty"
        )
    if len(content) > limit:
        raise _too_large(limit)
    page_count = inspect_upload(kind="pdf", content=content)["pages"]
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


# The database keeps page counts in smallint columns: no limit may let more through.
SMALLINT_MAX = 32_767
FILECHECK_SCRIPT = Path(__file__).resolve().parent / "filecheck" / "__main__.py"


def upload_check_limits() -> dict[str, int]:
    """What one check may use, from the settings (``UPLOAD_*``)."""
    return {
        "max_pages": min(settings.UPLOAD_MAX_PAGES, SMALLINT_MAX),
        "max_objects": settings.UPLOAD_MAX_PDF_OBJECTS,
        "max_inflated": settings.UPLOAD_MAX_INFLATED_BYTES,
        "max_image_pixels": settings.UPLOAD_MAX_IMAGE_PIXELS,
        "max_members": settings.UPLOAD_MAX_ARCHIVE_MEMBERS,
        "max_ratio": settings.UPLOAD_MAX_COMPRESSION_RATIO,
    }


def inspect_upload(*, kind: str, content: bytes) -> dict:
    """Check every byte of ``content`` (``portal.filecheck``) and return the verdict, or raise
    ``ValidationError`` with the refusal's code and a message that says what was found.

    With ``UPLOAD_CHECK_IN_SUBPROCESS`` (the default) the check runs in a child process limited
    to ``UPLOAD_CHECK_MEMORY_BYTES`` of memory and ``UPLOAD_CHECK_SECONDS`` of CPU and wall-clock
    time: a file built to exhaust the server exhausts the child, which is killed, and the request
    gets its answer within those seconds.
    """
    limits = upload_check_limits()
    if settings.UPLOAD_CHECK_IN_SUBPROCESS:
        verdict = _inspect_in_child(kind, content, limits)
    else:
        verdict = _inspect_here(kind, content, limits)
    if not verdict.get("ok"):
        code = verdict.get("code") or "damaged"
        logger.info("upload refused (%s, %s bytes): %s", kind, len(content), code)
        raise ValidationError(refusal_message(code, verdict.get("params") or {}), code=code)
    return verdict


def _inspect_here(kind: str, content: bytes, limits: dict) -> dict:
    from portal.filecheck import inspect

    try:
        return inspect(kind, content, limits)
    except (MemoryError, RecursionError):
        return {"ok": False, "code": "too_complex"}


def _inspect_in_child(kind: str, content: bytes, limits: dict) -> dict:
    seconds = settings.UPLOAD_CHECK_SECONDS
    arguments = {
        **limits,
        "memory": settings.UPLOAD_CHECK_MEMORY_BYTES,
        "cpu_seconds": seconds,
    }
    command = [sys.executable, "-I", str(FILECHECK_SCRIPT), kind, json.dumps(arguments)]
    # The child gets no environment of ours (no secret, no database address).
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 - our own program, by path, with our own Python
            command, input=content, capture_output=True, timeout=seconds, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        logger.warning("upload check of %s bytes stopped after %s s", len(content), seconds)
        return {"ok": False, "code": "timeout"}
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL) or (
        time.monotonic() - started >= seconds
    ):
        return {"ok": False, "code": "timeout"}
    logger.warning(
        "upload check failed (exit %s): %s",
        done.returncode,
        done.stderr[-2000:].decode(errors="replace"),
    )
    return {"ok": False, "code": "too_complex"}


def _megabytes(limit: int) -> str:
    megabytes = limit / MEGABYTE
    return f"{megabytes:.1f}".removesuffix(".0") if megabytes >= 0.1 else f"{megabytes:.2g}"


def active_content_label(what: str) -> str:
    """What the refusal message names, for an ``active`` refusal."""
    return {
        "javascript": _("JavaScript"),
        "launch": _("an action that starts a program"),
        "embedded_file": _("an embedded file"),
        "rich_media": _("multimedia content (RichMedia)"),
        "xfa": _("an XFA form"),
        "submit_form": _("a form that sends data (SubmitForm)"),
        "import_data": _("a form that imports data (ImportData)"),
        "goto_e": _("a link into an embedded file (GoToE)"),
        "goto_r": _("a link that opens another file (GoToR)"),
        "auto_action": _("an action that runs automatically"),
        "open_action": _("an action that runs on opening"),
    }.get(what, _("active content"))


def refusal_message(code: str, params: dict) -> str:
    """The translated message for a refusal of ``portal.filecheck``."""
    limit = params.get("limit")
    if code == "active":
        return _(
            "The PDF contains %(what)s. Files with active content are refused, not cleaned: "
            "save or print the document to a new PDF without it and upload that."
        ) % {"what": active_content_label(params.get("what", ""))}
    if code == "inflated":
        return _(
            "The file expands to more than %(limit)s MB when opened and is refused. Save it "
            "with less content, or in several parts, and upload it again."
        ) % {"limit": _megabytes(limit or 0)}
    if code == "pages":
        return _("The PDF has more than %(limit)s pages. Upload at most %(limit)s pages.") % {
            "limit": limit
        }
    if code == "objects":
        return _(
            "The PDF has more than %(limit)s objects and is too complex to check. Print it to a "
            "new PDF and upload that."
        ) % {"limit": limit}
    if code == "pixels":
        return _(
            "The image has more than %(limit)s million pixels. Reduce its size and upload it again."
        ) % {"limit": f"{(limit or 0) / 1_000_000:g}"}
    if code == "members":
        return _("The office document holds more than %(limit)s files and is refused.") % {
            "limit": limit
        }
    if code == "program":
        return _(
            "The office document contains a program or script (%(name)s) and is refused, not "
            "cleaned. Remove it, save the document and upload it again."
        ) % {"name": params.get("name", "")}
    messages = {
        "not_pdf": _(
            "The file is not a PDF. Save or export the scan as a PDF file and upload it again."
        ),
        "damaged": _(
            "The PDF is damaged or incomplete. Scan the form again and upload the new file."
        ),
        "encrypted": _(
            "The PDF is protected by a password. Save a copy without a password and upload it."
        ),
        "leading_data": _(
            "The file has other content before the start of the PDF (for example a web page) "
            "and is refused, not cleaned. Save or scan the document again as a plain PDF and "
            "upload it."
        ),
        "trailing_data": _(
            "The file has other content after its end (for example a web page or another file) "
            "and is refused, not cleaned. Save the document again and upload the new file."
        ),
        "timeout": _(
            "The file took too long to check and is refused. Save it again in a simpler form "
            "(for example print it to a new PDF) and upload that."
        ),
        "too_complex": _(
            "The file needs too much memory to check and is refused. Save it again in a simpler "
            "form (for example print it to a new PDF) and upload that."
        ),
        "file_type": _(
            "Evidence must be a PDF, a PNG or JPEG image, or an office document (Word, Excel, PowerPoint)."
        ),
        "markup": _(
            "The file contains web-page code (HTML or a script) and is refused, not cleaned. "
            "Save the document again and upload the new file."
        ),
        "damaged_image": _(
            "The image is damaged or incomplete. Save it again as PNG or JPEG and upload the new file."
        ),
        "damaged_office": _(
            "The office document is damaged or is not a Word, Excel or PowerPoint file."
        ),
        "hidden_data": _(
            "The office document holds data outside its contents (before, between or after its "
            "parts) and is refused, not cleaned. Save it again in Word, Excel or PowerPoint and "
            "upload the new file."
        ),
        "macro": _(
            "The office document contains macros and is refused, not cleaned. Save it as a "
            "document without macros (.docx, .xlsx, .pptx) and upload that."
        ),
        "ole_object": _(
            "The office document contains an embedded object or control (OLE, ActiveX) and is "
            "refused, not cleaned. Remove it, save the document and upload it again."
        ),
        "external": _(
            "The office document loads a template or an object from outside the file when it "
            "opens and is refused. Remove the link, save the document and upload it again."
        ),
    }
    return messages.get(code, messages["damaged"])


def _too_large(limit: int) -> ValidationError:
    shown = _megabytes(limit)
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
