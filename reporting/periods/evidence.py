"""Upload checks for evidence files: PDF, images and office documents, by content, not by name."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.uploads import check_pdf_upload

SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats"),  # .docx / .xlsx / .pptx (zip)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office"),  # .doc / .xls / .ppt
]


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    sha256: str
    size: int
    content_type: str


def check_evidence_upload(*, upload) -> CheckedFile:
    """Accept a PDF (checked like the stamped scan), a PNG/JPEG image or an office document."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size == 0:
        raise ValidationError(
            _("The file is empty. Choose the file and upload it again."), code="empty"
        )
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        checked = check_pdf_upload(upload=upload)
        return CheckedFile(checked.content, checked.sha256, checked.size, "application/pdf")
    content_type = next((ctype for sig, ctype in SIGNATURES if head.startswith(sig)), None)
    if content_type is None:
        raise ValidationError(
            _(
                "Evidence must be a PDF, a PNG or JPEG image, or an office document (Word, Excel, PowerPoint)."
            ),
            code="file_type",
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    if content_type == "application/vnd.openxmlformats":
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "[Content_Types].xml" not in archive.namelist():
                    raise zipfile.BadZipFile
        except zipfile.BadZipFile as exc:
            raise ValidationError(
                _("The office document is damaged or is not a Word, Excel or PowerPoint file."),
                code="damaged",
            ) from exc
    return CheckedFile(content, hashlib.sha256(content).hexdigest(), len(content), content_type)
