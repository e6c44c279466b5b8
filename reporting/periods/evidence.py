"""Upload checks for evidence files: PDF, images and office documents, by content, not by name.

The whole file is checked (``portal.uploads.inspect_upload``): a PDF like the stamped scan, a
PNG or JPEG decoded to the last pixel with nothing after its end, an office document as a
well-formed archive without macros, programs or hidden data. Active content is refused, never
stripped, and the message says what was found.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.uploads import inspect_upload


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    sha256: str
    size: int
    content_type: str


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
        code="too_large",
    )


def check_evidence_upload(*, upload) -> CheckedFile:
    """Accept a PDF (checked like the stamped scan), a PNG/JPEG image or an office document."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    upload.seek(0)
    content = upload.read(limit + 1)
    if not content:
        raise ValidationError(
            _("The file is empty. Choose the file and upload it again."), code="empty"
        )
    if len(content) > limit:
        raise _too_large(limit)
    verdict = inspect_upload(kind="evidence", content=content)
    return CheckedFile(
        content, hashlib.sha256(content).hexdigest(), len(content), verdict["content_type"]
    )
