"""PDF: the whole file, bounded, then its structure through pypdf, then its pages.

1. The frame: ``%PDF-`` first (a byte-order mark or a few bytes of white space may precede it),
   nothing but white space after the last ``%%EOF`` (an incremental update ends with its own).
2. A raw pass over every object header in the file, wherever it sits: objects are counted,
   every stream is decoded with an explicit cap on the bytes it inflates to (the whole file
   shares one budget), object streams are opened the same way, and every name in every object
   is compared with the list of active content. pypdf has not seen the file yet.
3. pypdf, with its own per-stream limits lowered to the budget: password, the catalogue's
   opening action, every object the cross-reference lists (the same names, after pypdf's own
   decoding, so that no filter or predictor hides them), then the page tree, counted with a stop
   at the page limit (one page object listed 33,000 times counts 33,000 pages).
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import Refused, refuse_markup

SIGNATURE = b"%PDF-"
HEADER_WINDOW = 1024  # where to look for the header at all
LEADING_ALLOWED = 16  # at most this many bytes of white space before it
BOM = b"\xef\xbb\xbf"
EOF_MARKER = b"%%EOF"
WHITESPACE = b" \t\r\n\f\x00"
CHUNK = 1024 * 1024

# Names that make a PDF do something by itself, and how the message calls them.
ACTIVE = {
    b"JavaScript": "javascript",
    b"JS": "javascript",
    b"Launch": "launch",
    b"EmbeddedFile": "embedded_file",
    b"EmbeddedFiles": "embedded_file",
    b"EF": "embedded_file",
    b"FileAttachment": "embedded_file",
    b"RichMedia": "rich_media",
    b"RichMediaExecute": "rich_media",
    b"RichMediaContent": "rich_media",
    b"XFA": "xfa",
    b"SubmitForm": "submit_form",
    b"ImportData": "import_data",
    b"GoToE": "goto_e",
    b"GoToR": "goto_r",
    b"AA": "auto_action",
}

OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\Z")
REFERENCE = re.compile(rb"\d+[ \t\r\n\f\x00]+\d+[ \t\r\n\f\x00]+R\b")
NAME = re.compile(rb"/([^ \t\r\n\f\x00/\[\]<>(){}%]*)")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
SPECIAL = re.compile(rb"[(%/<>\[]")
IN_STRING = re.compile(rb"[\\()]")
LINE_END = re.compile(rb"[\r\n]")
STREAM_START = re.compile(rb"[ \t\r\n\f\x00]*stream(?:\r\n|\n|\r)?")
DICTIONARY_TOKEN = re.compile(rb"<<|>>|[(%<]")
DIRECT_INT = r"/{}[ \t\r\n\f\x00]+(\d+)(?![ \t\r\n\f\x00]+\d+[ \t\r\n\f\x00]+R)"
FILTER_NAMES = {
    b"FlateDecode": "flate",
    b"Fl": "flate",
    b"ASCIIHexDecode": "hex",
    b"AHx": "hex",
    b"ASCII85Decode": "a85",
    b"A85": "a85",
    b"LZWDecode": "lzw",
    b"LZW": "lzw",
    b"RunLengthDecode": "rl",
    b"RL": "rl",
}


def looks_like_pdf(content: bytes) -> bool:
    return content.find(SIGNATURE, 0, HEADER_WINDOW + len(SIGNATURE)) >= 0


def check(content: bytes, limits: dict[str, int]) -> dict[str, Any]:
    check_frame(content)
    budget = Budget(limits["max_inflated"])
    scan_objects(content, limits, budget)
    pages = check_structure(content, limits, budget)
    return {"content_type": "application/pdf", "pages": pages}


# --- 1. the frame ---------------------------------------------------------------------------


def check_frame(content: bytes) -> None:
    start = content.find(SIGNATURE, 0, HEADER_WINDOW + len(SIGNATURE))
    if start < 0:
        raise Refused("not_pdf")
    leading = content[:start].removeprefix(BOM)
    if len(leading) > LEADING_ALLOWED or leading.strip(WHITESPACE):
        raise Refused("leading_data")
    end = content.rfind(EOF_MARKER)
    if end < 0:
        raise Refused("damaged")  # truncated: the upload or the scanner stopped before the end
    tail = content[end + len(EOF_MARKER) :]
    if tail.strip(WHITESPACE):
        if b"startxref" in tail or b"endobj" in tail:
            raise Refused("damaged")  # an update cut short after an earlier end marker
        raise Refused("trailing_data")


# --- 2. the raw pass --------------------------------------------------------------------------


class Budget:
    """The bytes every stream of the file may inflate to, together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise Refused("inflated", limit=self.limit)


def scan_objects(content: bytes, limits: dict[str, int], budget: Budget) -> None:
    # Every keyword's positions, found once: looking each up again per object would make a file
    # of many objects without any "endobj" quadratic.
    ends = _positions(rb"endobj", content)
    stream_ends = _positions(rb"endstream", content)
    headers = []
    for header in object_headers(content):
        headers.append(header)
        if len(headers) > limits["max_objects"]:
            raise Refused("objects", limit=limits["max_objects"])
    objects = len(headers)
    streams: list[tuple[int, int]] = []  # where stream data lies
    for index, header in enumerate(headers):
        start = header.end()
        following = headers[index + 1].start() if index + 1 < len(headers) else len(content)
        body_end = min(_next(ends, start, len(content)), following)
        dictionary = _dictionary_at(content, start, body_end)
        text = content[start : dictionary[1]] if dictionary else content[start:body_end]
        refuse_active_names(text)
        if b"/Kids" in text and len(REFERENCE.findall(text)) > limits["max_pages"] + 1:
            # A page-tree node listing more kids than the limit has more pages: say so before
            # pypdf spends seconds reading the list.
            raise Refused("pages", limit=limits["max_pages"])
        if dictionary is None:
            continue
        stream = STREAM_START.match(content, dictionary[1])
        if not stream:
            continue
        data_start = stream.end()
        data_end = _stream_end(content, data_start, text, _next(stream_ends, data_start, -1))
        streams.append((data_start, data_end))
        objects += _decode_stream(text, content[data_start:data_end], budget, limits)
        if objects > limits["max_objects"]:
            raise Refused("objects", limit=limits["max_objects"])
    startxrefs = _positions(rb"startxref", content)
    for trailer in _positions(b"trailer", content):
        end = trailer + len(b"trailer")
        refuse_active_names(content[end : _next(startxrefs, end, len(content))])
    refuse_markup(_outside(content, streams))


def _outside(content: bytes, ranges: list[tuple[int, int]]) -> bytes:
    """``content`` without the ``ranges`` (which may overlap): the PDF's own syntax, where a web
    page has no business (a URI "javascript:…" included)."""
    parts, position = [], 0
    for start, end in sorted(ranges):
        if start > position:
            parts.append(content[position:start])
        position = max(position, end)
    parts.append(content[position:])
    return b"\n".join(parts)


def object_headers(content: bytes) -> Iterator[re.Match]:
    """Every "<number> <generation> obj" in the file. The keyword is searched as a literal (a
    pattern that starts with digits would try every byte of a 20 MB image: seconds), then the
    numbers are matched just before it."""
    for keyword in re.finditer(rb"obj\b", content):
        start = keyword.start()
        header = OBJECT_HEADER.search(content, max(start - 40, 0), keyword.end())
        if header:
            yield header


def _positions(word: bytes, content: bytes) -> list[int]:
    found, position = [], content.find(word)
    while position >= 0:
        found.append(position)
        position = content.find(word, position + 1)
    return found


def _next(positions: list[int], start: int, default: int) -> int:
    """The first of ``positions`` (sorted) at or after ``start``."""
    index = bisect.bisect_left(positions, start)
    return positions[index] if index < len(positions) else default


def _dictionary_at(content: bytes, start: int, limit: int) -> tuple[int, int] | None:
    """(start, end) of the dictionary the object's body begins with, if it begins with one."""
    i = start
    while i < limit and content[i] in WHITESPACE:
        i += 1
    if not content.startswith(b"<<", i):
        return None
    depth, j = 0, i
    while j < limit:
        found = DICTIONARY_TOKEN.search(content, j, limit)
        if not found:
            return None
        token, j = found.group(0), found.end()
        if token == b"<<":
            depth += 1
        elif token == b">>":
            depth -= 1
            if depth == 0:
                return i, j
        elif token == b"(":
            j = _skip_string(content, j, limit)
        elif token == b"%":
            line = LINE_END.search(content, j, limit)
            j = line.end() if line else limit
        else:  # a hex string
            close = content.find(b">", j, limit)
            j = close + 1 if close >= 0 else limit
    return None


def _skip_string(content: bytes, i: int, limit: int) -> int:
    """The position after the literal string whose opening parenthesis ends at ``i``."""
    depth = 1
    while depth:
        found = IN_STRING.search(content, i, limit)
        if not found:
            return limit
        char, i = found.group(0), found.end()
        if char == b"\\":
            i += 1
        elif char == b"(":
            depth += 1
        else:
            depth -= 1
    return i


def _stream_end(content: bytes, start: int, dictionary: bytes, endstream: int) -> int:
    length = re.search(DIRECT_INT.format("Length").encode(), dictionary)
    if length:
        end = start + int(length.group(1))
        if content[end : end + 32].lstrip(WHITESPACE).startswith(b"endstream"):
            return end
    return endstream if endstream >= 0 else len(content)


def names_in(text: bytes) -> Iterator[bytes]:
    """Every name token of PDF source text, decoded (``/Java#53cript`` is ``JavaScript``);
    names inside strings and comments are not names."""
    i, limit = 0, len(text)
    while True:
        found = SPECIAL.search(text, i)
        if not found:
            return
        char, i = found.group(0), found.end()
        if char == b"/":
            name = NAME.match(text, found.start())
            i = name.end()
            yield NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name.group(1))
        elif char == b"(":
            i = _skip_string(text, i, limit)
        elif char == b"%":
            line = LINE_END.search(text, i)
            i = line.end() if line else limit
        elif char == b"<" and not text.startswith(b"<", i):
            close = text.find(b">", i)
            i = close + 1 if close >= 0 else limit
        elif char == b"<":
            i += 1


def refuse_active_names(text: bytes) -> None:
    for name in names_in(text):
        if name in ACTIVE:
            raise Refused("active", what=ACTIVE[name])


def _filters(dictionary: bytes) -> list[str] | None:
    """The stream's filter chain, ``[]`` for none; None when it cannot be read here (given
    indirectly, which no producer does: the caller refuses the file)."""
    found = re.search(
        rb"/Filter[ \t\r\n\f\x00]*(\[[^\]]*\]|/[^ \t\r\n\f\x00/\[\]<>()]*|\d)", dictionary
    )
    if not found:
        return []
    if found.group(1)[:1].isdigit():
        return None
    return [FILTER_NAMES.get(n, n.decode("latin-1")) for n in names_in(found.group(1))]


def _decode_stream(dictionary: bytes, data: bytes, budget: Budget, limits: dict[str, int]) -> int:
    """Decode one stream within the budget; an object stream is opened and read like the file.
    Returns the number of objects it holds."""
    chain = _filters(dictionary)
    if chain is None:
        raise Refused("damaged")
    names = set(names_in(dictionary))
    holds_objects = b"ObjStm" in names or (b"N" in names and b"First" in names)
    decoded = data
    for index, kind in enumerate(chain):
        keep = holds_objects or index < len(chain) - 1
        if kind == "flate":
            decoded = inflate(decoded, budget, keep=keep)
        elif kind in ("hex", "a85", "lzw", "rl"):
            decoded = _pypdf_decode(kind, decoded, budget)
        else:  # an image codec (DCT, JPX, JBIG2, CCITT …): nothing here decodes it
            budget.spend(len(decoded))
            return 0
    if not chain:
        budget.spend(len(data))
    if not holds_objects:
        return 0
    count = re.search(DIRECT_INT.format("N").encode(), dictionary)
    objects = int(count.group(1)) if count else 0
    if objects > limits["max_objects"]:
        raise Refused("objects", limit=limits["max_objects"])
    refuse_active_names(decoded)
    return objects


def inflate(data: bytes, budget: Budget, *, keep: bool) -> bytes:
    """Zlib data inflated with an explicit cap (what is left of the budget); a stream broken
    part-way counts what came out before the break. ``keep=False`` only counts."""
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS, zlib.MAX_WBITS | 32):
        decompressor = zlib.decompressobj(wbits)
        parts: list[bytes] = []
        produced = 0
        pending = data
        try:
            while True:
                out = decompressor.decompress(pending, min(CHUNK, budget.left + 1))
                produced += len(out)
                budget.spend(len(out))
                if keep:
                    parts.append(out)
                pending = decompressor.unconsumed_tail
                if decompressor.eof or not (out or pending):
                    break
        except zlib.error:
            if produced == 0:
                continue  # not this kind of zlib data: try the next
        return b"".join(parts)
    return b""


def _pypdf_decode(kind: str, data: bytes, budget: Budget) -> bytes:
    from pypdf import apply_configuration
    from pypdf.filters import ASCII85Decode, ASCIIHexDecode, LZWDecode, RunLengthDecode

    decoder = {"hex": ASCIIHexDecode, "a85": ASCII85Decode, "lzw": LZWDecode, "rl": RunLengthDecode}
    cap = budget.left + 1
    try:
        with apply_configuration(
            lzw_maximum_output_length=cap, run_length_maximum_output_length=cap
        ):
            decoded = decoder[kind].decode(data)
    except Exception as exc:
        if type(exc).__name__ == "LimitReachedError":
            raise Refused("inflated", limit=budget.limit) from exc
        return b""
    decoded = decoded.encode("latin-1") if isinstance(decoded, str) else decoded
    budget.spend(len(decoded))
    return decoded


# --- 3. the structure, through pypdf --------------------------------------------------------


def check_structure(content: bytes, limits: dict[str, int], budget: Budget) -> int:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    cap = max(budget.left, CHUNK)  # per stream, for the streams pypdf decodes itself
    overrides = {
        "zlib_maximum_output_length": cap,
        "lzw_maximum_output_length": cap,
        "run_length_maximum_output_length": cap,
        "array_based_stream_maximum_output_length": cap,
        "image_maximum_buffer_size": cap,
    }
    try:
        with pypdf_silenced(), apply_configuration(**overrides):
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise Refused("encrypted")
            catalog = reader.trailer["/Root"].get_object()
            counted = _count_pages(catalog["/Pages"], limits["max_pages"])
            _check_open_action(catalog.get("/OpenAction"))
            _check_every_object(reader, limits)
            pages = len([page.mediabox for page in reader.pages])
    except Refused:
        raise
    except LimitReachedError as exc:
        raise Refused("inflated", limit=budget.limit) from exc
    except RecursionError as exc:
        raise Refused("damaged") from exc
    except Exception as exc:  # pypdf raises PdfReadError, PdfStreamError and plain errors
        raise Refused("damaged") from exc
    if pages == 0 or counted == 0:
        raise Refused("damaged")
    return pages


_silence_lock = threading.Lock()
_silence_depth = 0
_saved_level = logging.NOTSET


@contextmanager
def pypdf_silenced() -> Iterator[None]:
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


def _check_open_action(action: Any) -> None:
    """An opening action may only go to a place in the document (an explicit destination, a
    named one, or a GoTo action with nothing chained after it)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NullObject

    seen = 0
    while action is not None:
        action = action.get_object()
        seen += 1
        if isinstance(action, ArrayObject | str | bytes | NullObject):
            return
        if not isinstance(action, DictionaryObject) or action.get("/S") != "/GoTo" or seen > 16:
            raise Refused("active", what="open_action")
        action = action.get("/Next")


def _check_every_object(reader: Any, limits: dict[str, int]) -> None:
    """Every object the cross-reference lists, as pypdf reads it: no active name anywhere."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    references = {
        (number, generation) for generation, table in reader.xref.items() for number in table
    }
    references.update((number, 0) for number in reader.xref_objStm)
    if len(references) > limits["max_objects"]:
        raise Refused("objects", limit=limits["max_objects"])
    for number, generation in sorted(references):
        try:
            obj = IndirectObject(number, generation, reader).get_object()
        except Exception:  # noqa: S112 - an unreadable object: the page walk decides
            continue
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, DictionaryObject):
                for key, value in item.items():
                    if key[1:].encode("latin-1", "replace") in ACTIVE:
                        raise Refused("active", what=ACTIVE[key[1:].encode("latin-1", "replace")])
                    stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
            elif isinstance(item, NameObject):
                name = item[1:].encode("latin-1", "replace")
                if name in ACTIVE:
                    raise Refused("active", what=ACTIVE[name])


def _count_pages(root: Any, limit: int) -> int:
    """Leaves of the page tree, stopping as soon as there are more than ``limit``; a node that
    is its own ancestor makes the tree damaged."""
    from pypdf.generic import DictionaryObject

    count = 0
    visits = 0
    stack: list[tuple[Any, frozenset]] = [(root, frozenset())]
    while stack:
        node, ancestors = stack.pop()
        visits += 1
        if visits > 4 * limit + 1000:
            raise Refused("pages", limit=limit)
        key = (node.idnum, node.generation) if hasattr(node, "idnum") else None
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            raise Refused("damaged")
        kids = node.get("/Kids")
        if node.get("/Type") == "/Pages" or (kids is not None and node.get("/Type") != "/Page"):
            if key in ancestors:
                raise Refused("damaged")
            inner = ancestors | {key} if key else ancestors
            stack.extend((kid, inner) for kid in reversed(kids.get_object() if kids else []))
        else:
            count += 1
            if count > limit:
                raise Refused("pages", limit=limit)
    return count
