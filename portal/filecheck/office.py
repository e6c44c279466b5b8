"""Office documents: Word, Excel and PowerPoint, in the current (zip) and the legacy (OLE) form.

Office Open XML (.docx, .xlsx, .pptx): a well-formed zip and nothing else — the first member
at the first byte, members one after another, the central directory right after them and the
end record at the very end (no comment); at most ``max_members`` members whose sizes add up to
at most ``max_inflated`` bytes (each member is inflated with a cap and its checksum verified,
whatever the directory declares); ``[Content_Types].xml`` present; no macros, ActiveX controls,
embedded OLE objects, programs or scripts, and no template or object loaded from outside.

Legacy (.doc, .xls, .ppt): a well-formed compound file (olefile) of exactly its own size, without
macros (a VBA storage), embedded OLE objects or packaged files.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import Any

from . import Refused

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML = "application/vnd.openxmlformats"
LEGACY = "application/vnd.ms-office"
CHUNK = 1024 * 1024
LARGE = 10 * 1024 * 1024  # below this uncompressed size the ratio does not matter

# Members that run code or carry a program, by extension (anywhere in the archive).
EXECUTABLE = frozenset(
    [
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".pif",
        ".cpl",
        ".msi",
        ".msp",
        ".jar",
        ".js",
        ".jse",
        ".vbs",
        ".vbe",
        ".wsf",
        ".wsh",
        ".ws",
        ".bat",
        ".cmd",
        ".ps1",
        ".psm1",
        ".psd1",
        ".sh",
        ".hta",
        ".htm",
        ".html",
        ".xhtml",
        ".mht",
        ".mhtml",
        ".svg",
        ".lnk",
        ".url",
        ".reg",
        ".inf",
        ".chm",
        ".sct",
        ".docm",
        ".dotm",
        ".xlsm",
        ".xltm",
        ".xlam",
        ".xlsb",
        ".pptm",
        ".potm",
        ".ppam",
        ".ppsm",
        ".sldm",
        ".app",
        ".apk",
        ".dmg",
        ".py",
    ]
)
# How programs begin: Windows (MZ), Linux (ELF), macOS (Mach-O), Java classes, scripts (#!).
PROGRAM_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
MACRO_NAME = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|vbaProjectSignature\.bin)$", re.I)
OBJECT_NAME = re.compile(r"(^|/)(activeX/|embeddings/.*\.bin$|oleObject[^/]*\.bin$)", re.I)
# Relationships that make Office fetch something from outside when the file opens.
LOADS = rb"/(attachedTemplate|oleObject|subDocument|frame|externalLinkPath)[\"']"
EXTERNAL = rb"TargetMode=[\"']External[\"']"
EXTERNAL_LOADS = re.compile(
    rb"<Relationship\b[^>]*"
    + LOADS
    + rb"[^>]*"
    + EXTERNAL
    + rb"|<Relationship\b[^>]*"
    + EXTERNAL
    + rb"[^>]*"
    + LOADS,
    re.I,
)


def recognise(content: bytes) -> str | None:
    if content.startswith(ZIP_SIGNATURE):
        return OOXML
    if content.startswith(OLE_SIGNATURE):
        return LEGACY
    return None


def check(content: bytes, content_type: str, limits: dict[str, int]) -> dict[str, Any]:
    if content_type == OOXML:
        check_ooxml(content, limits)
    else:
        check_legacy(content, limits)
    return {"content_type": content_type}


# --- Office Open XML --------------------------------------------------------------------------


def check_ooxml(content: bytes, limits: dict[str, int]) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise Refused("damaged_office") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits["max_members"]:
            raise Refused("members", limit=limits["max_members"])
        _check_layout(content, archive, members)
        names = [m.filename for m in members]
        if "[Content_Types].xml" not in names:
            raise Refused("damaged_office")
        _check_names(names)
        declared = sum(m.file_size for m in members)
        if declared > limits["max_inflated"]:
            raise Refused("inflated", limit=limits["max_inflated"])
        if declared > LARGE and declared > limits["max_ratio"] * max(len(content), 1):
            raise Refused("inflated", limit=limits["max_inflated"])
        for member in members:
            _read_member(archive, member, limits)


def _check_layout(content: bytes, archive: zipfile.ZipFile, members: list) -> None:
    """Members back to back from the first byte, the directory right after them, the end record
    at the very end: no room for anything hidden before, between or after."""
    if not members:
        raise Refused("damaged_office")
    position = 0
    for member in sorted(members, key=lambda m: m.header_offset):
        if member.header_offset != position:
            raise Refused("hidden_data")
        header = content[position : position + 30]
        if len(header) < 30 or not header.startswith(ZIP_SIGNATURE):
            raise Refused("damaged_office")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        position += 30 + name_length + extra_length + member.compress_size
        if member.flag_bits & 0x08:  # a data descriptor follows the data
            position += _descriptor_length(content, position)
    directory = archive.start_dir
    if directory != position:
        raise Refused("hidden_data")
    end = content.rfind(b"PK\x05\x06")
    if end < 0 or len(content) != end + 22 or archive.comment:
        raise Refused("hidden_data")
    (directory_size,) = struct.unpack("<I", content[end + 12 : end + 16])
    if directory + directory_size != end:
        raise Refused("hidden_data")


def _descriptor_length(content: bytes, position: int) -> int:
    signed = content.startswith(b"PK\x07\x08", position)
    return 16 if signed else 12


def _check_names(names: list[str]) -> None:
    for name in names:
        lowered = name.lower()
        if MACRO_NAME.search(name):
            raise Refused("macro")
        if OBJECT_NAME.search(name):
            raise Refused("ole_object")
        if "." in lowered.rsplit("/", 1)[-1] and "." + lowered.rsplit(".", 1)[-1] in EXECUTABLE:
            raise Refused("program", name=name[-80:])


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: dict[str, int]) -> None:
    """Inflate one member in chunks, never past its declared size (zipfile stops there and
    checks the checksum); the content types and relationships are read for what they load."""
    keep = member.filename == "[Content_Types].xml" or member.filename.endswith(".rels")
    parts = []
    try:
        with archive.open(member) as stream:
            head = stream.read(CHUNK)
            if head.startswith(PROGRAM_SIGNATURES):
                raise Refused("program", name=member.filename[-80:])
            chunk = head
            while chunk:
                if keep:
                    parts.append(chunk)
                chunk = stream.read(CHUNK)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as exc:
        raise Refused("damaged_office") from exc
    text = b"".join(parts)
    if member.filename == "[Content_Types].xml" and re.search(
        rb"macroEnabled|vbaProject|activeX", text, re.I
    ):
        raise Refused("macro")
    if member.filename.endswith(".rels") and EXTERNAL_LOADS.search(text):
        raise Refused("external")


# --- legacy compound files --------------------------------------------------------------------

# Storages and streams of a compound file that hold macros, embedded objects or packaged files.
LEGACY_ACTIVE = {
    "macros": "macro",
    "_vba_project_cur": "macro",
    "vba": "macro",
    "_vba_project": "macro",
    "objectpool": "ole_object",
    "\x01ole10native": "ole_object",
    "mbd": "ole_object",
}


def check_legacy(content: bytes, limits: dict[str, int]) -> None:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(content), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as exc:  # olefile raises OSError and its own errors on a broken file
        raise Refused("damaged_office") from exc
    with ole:
        # The header sector and the sectors the allocation table uses: nothing beyond.
        used = [index for index, entry in enumerate(ole.fat) if entry != olefile.FREESECT]
        expected = ole.sector_size * (2 + max(used, default=-1))
        if content[expected:].strip(b"\x00"):
            raise Refused("hidden_data")
        entries = ole.listdir(streams=True, storages=True)
        if len(entries) > limits["max_members"]:
            raise Refused("members", limit=limits["max_members"])
        for path in entries:
            for part in path:
                lowered = part.lower()
                if lowered in LEGACY_ACTIVE or lowered.startswith("_") and "vba" in lowered:
                    raise Refused(LEGACY_ACTIVE.get(lowered, "macro"))
                if lowered.startswith("mbd") and len(lowered) > 3:
                    raise Refused("ole_object")
                ext = "." + lowered.rsplit(".", 1)[-1] if "." in lowered else ""
                if ext in EXECUTABLE:
                    raise Refused("program", name=part[-80:])
