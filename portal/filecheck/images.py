"""PNG and JPEG: decoded whole by Pillow within a pixel limit, nothing after the image's end.

The file must end where the image ends (after PNG's IEND chunk, after JPEG's end-of-image
marker), apart from zero bytes of padding, and must hold no web-page markup anywhere: a file
that is an image at the start and a web page further on is refused, not trimmed.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from typing import Any

from . import Refused, refuse_markup

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def recognise(content: bytes) -> str | None:
    if content.startswith(PNG_SIGNATURE):
        return "image/png"
    if content.startswith(JPEG_SIGNATURE):
        return "image/jpeg"
    return None


def check(content: bytes, content_type: str, limits: dict[str, int]) -> dict[str, Any]:
    end = png_end(content) if content_type == "image/png" else jpeg_end(content)
    if content[end:].strip(b"\x00"):
        raise Refused("trailing_data")
    refuse_markup(content)
    width, height = decode(content, content_type, limits["max_image_pixels"])
    return {"content_type": content_type, "width": width, "height": height}


def png_end(content: bytes) -> int:
    """The offset after the IEND chunk; every chunk's length and checksum are checked."""
    i = len(PNG_SIGNATURE)
    while True:
        if i + 8 > len(content):
            raise Refused("damaged_image")
        length, kind = struct.unpack(">I4s", content[i : i + 8])
        end = i + 12 + length
        if end > len(content):
            raise Refused("damaged_image")
        (crc,) = struct.unpack(">I", content[end - 4 : end])
        if zlib.crc32(content[i + 4 : end - 4]) != crc:
            raise Refused("damaged_image")
        if kind == b"IEND":
            return end
        i = end


def jpeg_end(content: bytes) -> int:
    """The offset after the end-of-image marker, walking the segments and the entropy-coded
    data of every scan (a progressive JPEG has several)."""
    i, size = 2, len(content)
    while i < size:
        if content[i] != 0xFF:
            raise Refused("damaged_image")
        while i < size and content[i] == 0xFF:
            i += 1  # fill bytes
        if i >= size:
            break
        marker = content[i]
        i += 1
        if marker == 0xD9:  # end of image
            return i
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # markers without a length
        if i + 2 > size:
            break
        (length,) = struct.unpack(">H", content[i : i + 2])
        if length < 2:
            raise Refused("damaged_image")
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                i = content.find(b"\xff", i)
                if i < 0 or i + 1 >= size:
                    raise Refused("damaged_image")
                following = content[i + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i += 2  # a stuffed byte or a restart marker: still data
                elif following == 0xFF:
                    i += 1
                else:
                    break
    raise Refused("damaged_image")


def decode(content: bytes, content_type: str, max_pixels: int) -> tuple[int, int]:
    """Decode every pixel; more than ``max_pixels`` is refused before anything is decoded."""
    from PIL import Image

    expected = "PNG" if content_type == "image/png" else "JPEG"
    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise Refused("pixels", limit=max_pixels)
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("pixels", limit=max_pixels) from exc
    except Refused:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError … on broken data
        raise Refused("damaged_image") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    return width, height
