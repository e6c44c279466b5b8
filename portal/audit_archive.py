"""Retention of the audit log: entries are kept at least ``AUDIT_RETENTION_DAYS`` (180 or more,
checked at startup); older ones may leave the database only into a verified archive.

``audit_archive(commit=True)`` writes the entries older than the retention to a gzip-compressed
JSON-lines file under ``AUDIT_ARCHIVE_DIR`` with a manifest (SHA-256 of the file, entry count,
id range and a digest of the ids), reads the archive back and checks it against the manifest and
the database, and only then deletes exactly those rows — the one delete the audit log allows:
the model and its queryset refuse every delete, and on PostgreSQL the trigger lets a DELETE
through only in a transaction that ``SET LOCAL portal.audit_archiving = 'on'`` (migration 0007).
The archiving itself is an audit entry (``audit.archive``) in the same transaction.
"""

import datetime as dt
import gzip
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from .models import AuditEntry

RETENTION_MINIMUM_DAYS = 180


class ArchiveError(Exception):
    """The archive could not be written or did not verify: nothing was deleted."""


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", RETENTION_MINIMUM_DAYS))


def check_audit_retention(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    value = getattr(settings, "AUDIT_RETENTION_DAYS", RETENTION_MINIMUM_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or value < RETENTION_MINIMUM_DAYS:
        return [
            checks.Error(
                f"AUDIT_RETENTION_DAYS is {value!r}: the audit log must be kept at least "
                f"{RETENTION_MINIMUM_DAYS} days (six months, MLPS 2.0 level 3).",
                hint=f"Set AUDIT_RETENTION_DAYS to {RETENTION_MINIMUM_DAYS} or more.",
                id="portal.E013",
            )
        ]
    return []


def register_checks() -> None:
    checks.register(check_audit_retention, checks.Tags.security)


@dataclass
class ArchiveResult:
    cutoff: str
    entries: int
    first_id: int | None = None
    last_id: int | None = None
    oldest: str | None = None
    newest: str | None = None
    committed: bool = False
    archive: str = ""
    manifest: str = ""
    sha256: str = ""
    deleted: int = 0
    notes: list[str] = field(default_factory=list)


def entry_record(entry: AuditEntry) -> dict:
    """One archived line: everything the row holds, the actor and object type by name too."""
    return {
        "id": entry.pk,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor.username if entry.actor_id else None,
        "action": entry.action,
        "content_type": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "object_id": entry.object_id,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "comment": entry.comment,
        "data": entry.data,
        "ip_address": entry.ip_address,
        "user_agent": entry.user_agent,
    }


def _ids_digest(ids) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for pk in ids:
        digest.update(f"{pk}\n".encode())
        count += 1
    return digest.hexdigest(), count


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(archive: Path, manifest: dict) -> None:
    """The file is the one the manifest describes, line for line; raises ``ArchiveError``."""
    if _file_sha256(archive) != manifest["sha256"]:
        raise ArchiveError(f"{archive.name}: SHA-256 differs from the manifest")
    ids = []
    try:
        with gzip.open(archive, "rt", encoding="utf-8") as f:
            for line in f:
                ids.append(json.loads(line)["id"])
    except (OSError, ValueError, KeyError) as exc:
        raise ArchiveError(f"{archive.name}: unreadable ({exc})") from exc
    digest, count = _ids_digest(ids)
    if count != manifest["entries"] or digest != manifest["ids_sha256"]:
        raise ArchiveError(f"{archive.name}: entries differ from the manifest")


def audit_archive(
    *, commit: bool, now: dt.datetime | None = None, archive_dir: Path | str | None = None
) -> ArchiveResult:
    """Archive (and, with ``commit``, delete) the entries older than the retention period.
    Without ``commit`` only says what it would archive."""
    problems = check_audit_retention()
    if problems:
        raise ArchiveError(problems[0].msg)
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    old = AuditEntry.objects.filter(created_at__lt=cutoff)
    span = old.aggregate(
        first=Min("id"), last=Max("id"), oldest=Min("created_at"), newest=Max("created_at")
    )
    result = ArchiveResult(cutoff=cutoff.isoformat(), entries=old.count())
    if not result.entries:
        return result
    result.first_id, result.last_id = span["first"], span["last"]
    result.oldest, result.newest = span["oldest"].isoformat(), span["newest"].isoformat()
    if not commit:
        return result

    # The rows archived and deleted: old enough, and no newer than the last id seen now.
    rows = AuditEntry.objects.filter(created_at__lt=cutoff, id__lte=result.last_id).order_by("id")
    folder = Path(archive_dir or settings.AUDIT_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"audit-{now:%Y%m%dT%H%M%SZ}-{result.first_id}-{result.last_id}"
    archive = folder / f"{stem}.jsonl.gz"
    manifest_path = folder / f"{stem}.manifest.json"
    if archive.exists() or manifest_path.exists():
        raise ArchiveError(f"{archive.name} exists already")

    partial = archive.with_suffix(".partial")
    try:
        with partial.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            for entry in rows.select_related("actor", "content_type").iterator(chunk_size=2000):
                line = json.dumps(entry_record(entry), ensure_ascii=False, sort_keys=True)
                gz.write(line.encode("utf-8") + b"\n")
            gz.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)

    ids_sha256, count = _ids_digest(rows.values_list("id", flat=True).iterator(chunk_size=5000))
    manifest = {
        "archive": archive.name,
        "sha256": _file_sha256(archive),
        "entries": count,
        "ids_sha256": ids_sha256,
        "first_id": result.first_id,
        "last_id": result.last_id,
        "oldest": result.oldest,
        "newest": result.newest,
        "cutoff": result.cutoff,
        "retention_days": retention_days(),
        "created_at": now.isoformat(),
        "format": "gzip, one JSON object per line (portal.audit_archive.entry_record)",
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    verify_archive(archive, manifest)  # raises before anything is deleted

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL portal.audit_archiving = 'on'")
            cursor.execute(
                "DELETE FROM portal_auditentry WHERE created_at < %s AND id <= %s",
                [cutoff, result.last_id],
            )
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL portal.audit_archiving = 'off'")
        if deleted != count:
            raise ArchiveError(
                f"{deleted} rows matched for deletion, {count} archived: rolled back"
            )
        from .services import audit_record

        audit_record(
            actor=None,
            action="audit.archive",
            content_type=ContentType.objects.get_for_model(AuditEntry),
            object_id="",
            data={k: manifest[k] for k in ("archive", "sha256", "entries", "first_id", "last_id")}
            | {"cutoff": result.cutoff},
        )
    result.committed = True
    result.deleted = deleted
    result.archive = str(archive)
    result.manifest = str(manifest_path)
    result.sha256 = manifest["sha256"]
    return result


def result_dict(result: ArchiveResult) -> dict:
    return asdict(result)
