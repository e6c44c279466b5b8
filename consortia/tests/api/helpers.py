"""Helpers of the consortia API tests: URLs, uploads, a consortium of the authority."""

import datetime as dt
import io

from pypdf import PdfReader, PdfWriter

from consortia.samples import CONSORTIUM
from consortia.services import consortium_create

BEFORE_DEADLINE = dt.date(2026, 3, 1)  # the program's plan deadline is 2026-03-08


def create_consortium(actor, program, **changes):
    data = {**CONSORTIUM, "entity_type": program.entity_types.first(), **changes}
    return consortium_create(actor=actor, program=program, data=data)


def url(consortium, rest=""):
    return f"/api/v1/consortia/{consortium.pk}/{rest}"


def pages_of(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")
