"""Bounded inspection of uploaded files, meant to run in a short-lived child process.

``inspect(kind, content, limits)`` looks at every byte of an upload and returns a small verdict
(a dict that JSON carries): ``{"ok": True, "content_type": ..., "pages": ...}`` or
``{"ok": False, "code": ..., "params": {...}}``. It never trusts a library to bound its own work:
compressed data is inflated with an explicit cap, objects, pages and archive members are
counted against limits, and the caller (``portal.uploads``) runs it in a child process with
memory and CPU limits and a wall-clock timeout (``python -m portal.filecheck``), so that a file
built to exhaust a worker only exhausts the child.

Nothing here imports Django: the child starts without the project (``__main__`` loads this
package without running ``portal/__init__``), and the translated messages are made by the
caller from ``code`` and ``params``.

Kinds: ``pdf`` (a stamped scan or a PDF as evidence) and ``evidence`` (PDF, PNG, JPEG, Office
Open XML and legacy Office documents, told apart by their content, each validated whole).
Active content is refused, never stripped: the message names what was found.
"""

from __future__ import annotations

from typing import Any

# What the checks may use, with the caller's defaults; the caller passes its settings.
DEFAULT_LIMITS: dict[str, int] = {
    "max_pages": 500,  # pages of a PDF
    "max_objects": 100_000,  # PDF objects, counting those inside object streams
    "max_inflated": 256 * 1024 * 1024,  # bytes after decompression, the whole file together
    "max_image_pixels": 50_000_000,  # width x height of an image
    "max_members": 2_000,  # files inside an Office document
    "max_ratio": 200,  # uncompressed / compressed size of an Office document, when large
}


class Refused(Exception):
    """The file is refused: ``code`` says why, ``params`` fill the caller's message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def inspect(kind: str, content: bytes, limits: dict[str, int] | None = None) -> dict[str, Any]:
    """The verdict on ``content`` as an upload of ``kind`` (``pdf`` or ``evidence``)."""
    from . import images, office, pdf

    limits = {**DEFAULT_LIMITS, **(limits or {})}
    try:
        if kind == "pdf":
            return {"ok": True, **pdf.check(content, limits)}
        if kind != "evidence":
            raise ValueError(f"unknown kind {kind!r}")
        if pdf.looks_like_pdf(content):
            return {"ok": True, **pdf.check(content, limits)}
        for module in (images, office):
            found = module.recognise(content)
            if found:
                return {"ok": True, **module.check(content, found, limits)}
        raise Refused("file_type")
    except Refused as refusal:
        return {"ok": False, "code": refusal.code, "params": refusal.params}


MARKUP = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<body",
    b"<iframe",
    b"<svg",
    b"<?xml-stylesheet",
    b"javascript:",
)


def refuse_markup(content: bytes) -> None:
    """Refuse web-page markup anywhere in a binary file (a polyglot that a browser might run)."""
    lowered = content.lower()
    for marker in MARKUP:
        if marker in lowered:
            raise Refused("markup")
