"""Backups of the whole portal: the database and the media files, with a manifest of digests.

``backup_create(directory=…)`` writes into a new, empty folder:

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite:
  the online backup API, consistent while the portal runs);
- ``media.tar``: every file of the default storage (local disk or an object store), by its
  storage name, read through the storage API;
- ``manifest.json``, written last (a folder without it is an unfinished backup): the SHA-256 and
  size of the dump, of the archive and of every media file, the applied migrations, the time,
  and the portal's version and commit.

``backup_verify(directory=…)`` checks all of it against the manifest and touches nothing.
``backup_restore(directory=…)`` verifies first and refuses a damaged, incomplete or foreign
backup before anything changes; then it restores the database (``pg_restore --clean --if-exists
--no-owner`` in one transaction, or SQLite's backup API), writes the media files back through the
storage and reads every one back to check its digest again.

The database is dumped before the media are archived: files are stored before the rows that name
them commit, so every file the dump refers to is in the archive (a file stored meanwhile is an
unreferenced extra, harmless). The management commands ``portal_backup`` and ``portal_restore``
(and ``./dev backup`` / ``./dev restore``) are thin callers of these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import environ
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import ConnectionHandler

FORMAT = "miit-pilot-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
CLIENT_TIMEOUT = 3600  # seconds for pg_dump / pg_restore: a generous bound, never a hang


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why, for the operator."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    files: int  # media files restored (and read back)
    extra_files: int  # files in the storage that the backup does not have (left in place)
    pending_migrations: list[str]  # migrations of this code the restored database lacks


# --- helpers ---------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_stream(fh: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class _HashingReader:
    """Reads through to ``fh`` and keeps the SHA-256 and count of what was read."""

    def __init__(self, fh: IO[bytes]):
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _engine(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def database_settings(url: str | None = None) -> dict[str, Any]:
    """The settings of the database to back up or restore into: ``url`` (a DATABASE_URL) or the
    portal's own database."""
    if url:
        return environ.Env.db_url_config(url)
    return dict(connections["default"].settings_dict)


def _describe(settings_dict: dict[str, Any]) -> str:
    if _engine(settings_dict) == "sqlite":
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    return f"PostgreSQL {settings_dict['NAME']} on {host}:{settings_dict.get('PORT') or 5432}"


def _pg_command(program: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """``program`` with the connection arguments; the password goes in the environment only."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)."
        )
    args = [executable, "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in [("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")]:
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        # The arguments are our own program and settings, never user input.
        done = subprocess.run(  # noqa: S603
            args, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} did not finish within {CLIENT_TIMEOUT} s.") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


def _sqlite_connect(settings_dict: dict[str, Any]) -> sqlite3.Connection:
    name = str(settings_dict["NAME"])
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _applied_migrations(settings_dict: dict[str, Any]) -> dict[str, list[str]]:
    """The applied migrations of a database, by app: ``{"portal": ["0001_initial", …], …}``."""
    handler = ConnectionHandler({"default": settings_dict})  # a private one, closed below
    try:
        with handler["default"].cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            rows = cursor.fetchall()
    except Exception as exc:
        raise BackupError(
            f"Cannot read the migrations of {_describe(settings_dict)}: {exc}"
        ) from exc
    finally:
        handler.close_all()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def portal_version() -> dict[str, str]:
    """The portal's version (pyproject.toml) and commit (git, or PORTAL_COMMIT in an image)."""
    base = Path(settings.BASE_DIR)
    with (base / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    commit = os.environ.get("PORTAL_COMMIT", "")
    git = shutil.which("git")
    if not commit and git and (base / ".git").exists():
        done = subprocess.run(  # noqa: S603 - our own repository, fixed arguments
            [git, "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        commit = done.stdout.strip() if done.returncode == 0 else ""
    return {"version": version, "commit": commit}


def storage_walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage`` under ``folder``, sorted, through the storage API."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder that was never created: no files
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_walk(storage, f"{folder}/{sub}" if folder else sub)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


# --- backup ----------------------------------------------------------------------------------------


def backup_create(
    *, directory: Path, storage: Storage | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Back up the portal's database and media files into ``directory`` (new or empty); return
    the manifest. The folder and its files are readable by their owner only."""
    storage = storage or storages["default"]
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new folder for the backup.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    created_at = dt.datetime.now(dt.UTC)
    source = database_settings()
    engine = _engine(source)
    dump = directory / DUMP_FILES[engine]
    log(f"Dumping the database ({_describe(source)}) to {dump.name}")
    old_umask = os.umask(0o077)
    try:
        if engine == "postgresql":
            args, env = _pg_command("pg_dump", source)
            _run([*args, "--format=custom", "--file", str(dump), source["NAME"]], env, "pg_dump")
        else:
            connection = connections["default"]
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
                # A self-contained file: no -wal / -shm beside it when it is read later.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        migrations = _applied_migrations(source)
        log(f"Archiving the media files ({type(storage).__name__}) to {MEDIA_ARCHIVE}")
        files = _archive_media(storage, directory / MEDIA_ARCHIVE, mtime=created_at.timestamp())
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(timespec="seconds"),
            "portal": portal_version(),
            "database": {
                "engine": engine,
                "file": dump.name,
                "sha256": _sha256_file(dump),
                "size": dump.stat().st_size,
            },
            "migrations": migrations,
            "media": {
                "file": MEDIA_ARCHIVE,
                "sha256": _sha256_file(directory / MEDIA_ARCHIVE),
                "size": (directory / MEDIA_ARCHIVE).stat().st_size,
                "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                "count": len(files),
                "bytes": sum(f["size"] for f in files),
            },
            "files": files,
        }
        partial = directory / (MANIFEST + ".partial")
        partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(directory / MANIFEST)  # last: a backup without it is unfinished
    finally:
        os.umask(old_umask)
    return manifest


def _archive_media(storage: Storage, archive: Path, *, mtime: float) -> list[dict[str, Any]]:
    files = []
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in storage_walk(storage):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = storage.size(name), int(mtime), 0o600
            with storage.open(name, "rb") as fh:
                reader = _HashingReader(fh)
                tar.addfile(info, reader)  # raises if the file is shorter than its size
            if reader.size != info.size:
                raise BackupError(f"{name} changed while it was archived: run the backup again.")
            files.append({"name": name, "sha256": reader.digest.hexdigest(), "size": info.size})
    return files


# --- verify ----------------------------------------------------------------------------------------


def backup_verify(*, directory: Path) -> dict[str, Any]:
    """The backup's manifest, once every file in the folder matches it; ``BackupError`` names
    the first thing that does not. Reads only."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{directory} has no {MANIFEST}: it is not a backup, or the backup did not finish."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        kind, version = manifest.get("format"), manifest.get("format_version")
        database, media, files = manifest["database"], manifest["media"], manifest["files"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{MANIFEST} is damaged: {exc}") from exc
    if kind != FORMAT or version != FORMAT_VERSION:
        raise BackupError(f"{MANIFEST} is not a portal backup of format {FORMAT_VERSION}.")
    if database.get("engine") not in DUMP_FILES or database.get("file") != DUMP_FILES.get(
        database.get("engine")
    ):
        raise BackupError(f"{MANIFEST} names an unknown database dump.")
    for part in (database, media):
        _check_file(directory / part["file"], part["sha256"], part["size"])
    expected = {f["name"]: f for f in files}
    seen: set[str] = set()
    with tarfile.open(directory / media["file"], "r:") as tar:
        for member in tar:
            name = member.name
            if not member.isfile() or not _safe_name(name):
                raise BackupError(f"The media archive holds an entry it should not: {name!r}.")
            if name not in expected or name in seen:
                raise BackupError(f"The media archive holds {name}, which the manifest lacks.")
            digest, size = _sha256_stream(_member_file(tar, member))
            if (digest, size) != (expected[name]["sha256"], expected[name]["size"]):
                raise BackupError(f"{name} in the media archive does not match its digest.")
            seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"The backup is incomplete: {len(missing)} media file(s) missing, e.g. {missing[0]}."
        )
    return manifest


def _member_file(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    fh = tar.extractfile(member)
    if fh is None:
        raise BackupError(f"The media archive holds an entry it should not: {member.name!r}.")
    return fh


def _check_file(path: Path, sha256: str, size: int) -> None:
    if not path.is_file():
        raise BackupError(f"The backup is incomplete: {path.name} is missing.")
    if path.stat().st_size != size or _sha256_file(path) != sha256:
        raise BackupError(
            f"{path.name} does not match the digest in the manifest: "
            "the backup is damaged or was changed."
        )


# --- restore ---------------------------------------------------------------------------------------


def backup_restore(
    *,
    directory: Path,
    database_url: str | None = None,
    storage: Storage | None = None,
    log: Callable[[str], None] = print,
    confirm: Callable[[dict[str, Any], str], bool] | None = None,
) -> RestoreResult:
    """Restore the backup in ``directory`` into the portal's database (or ``database_url``) and
    media storage (or ``storage``): verified before and after, refused whole on any mismatch.

    The database's tables are replaced; media files of the backup are written back; other files
    in the storage are left where they are (counted in the result). ``confirm(manifest, target)``,
    if given, is asked once the backup is verified and before anything changes. Stop the web, worker and beat
    processes first: a restore under a running portal races with its writes.
    """
    directory = Path(directory)
    storage = storage or storages["default"]
    log(f"Verifying {directory}")
    manifest = backup_verify(directory=directory)
    target = database_settings(database_url)
    engine = manifest["database"]["engine"]
    if _engine(target) != engine:
        raise BackupError(
            f"The backup holds a {engine} database; {_describe(target)} is not one. "
            "Restore it into the same kind of database."
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    backed_up = {f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(backed_up - known)
    if unknown:
        raise BackupError(
            f"The backup was made by a newer portal ({manifest['portal'].get('version')}, "
            f"{manifest['portal'].get('commit') or 'commit unknown'}): this code lacks "
            f"{len(unknown)} of its migrations, e.g. {unknown[0]}. Restore it with that version."
        )
    if confirm is not None and not confirm(manifest, _describe(target)):
        raise BackupError("Restore cancelled: nothing was changed.")
    connections.close_all()  # no open connection of ours in the way of the restore
    log(f"Restoring the database into {_describe(target)}")
    dump = directory / manifest["database"]["file"]
    if engine == "postgresql":
        args, env = _pg_command("pg_restore", target)
        restore_args = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
        restore_args += ["--single-transaction", "--exit-on-error"]
        _run([*args, *restore_args, "--dbname", target["NAME"], str(dump)], env, "pg_restore")
    else:
        source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
        destination = _sqlite_connect(target)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
    restored = _applied_migrations(target)
    if {app: sorted(names) for app, names in restored.items()} != {
        app: sorted(names) for app, names in manifest["migrations"].items()
    }:
        raise BackupError("The restored database's migrations differ from the manifest's.")
    log(f"Restoring {len(manifest['files'])} media file(s) into {type(storage).__name__}")
    with tarfile.open(directory / manifest["media"]["file"], "r:") as tar:
        for member in tar:
            name = member.name
            if storage.exists(name):
                storage.delete(name)
            stored = storage.save(name, File(_member_file(tar, member), name=name))
            if stored != name:
                raise BackupError(f"The storage kept {name} as {stored}.")
    log("Reading every restored file back")
    for entry in manifest["files"]:
        with storage.open(entry["name"], "rb") as fh:
            digest, size = _sha256_stream(fh)
        if (digest, size) != (entry["sha256"], entry["size"]):
            raise BackupError(f"{entry['name']} does not match its digest after the restore.")
    names = {entry["name"] for entry in manifest["files"]}
    extra = sum(1 for name in storage_walk(storage) if name not in names)
    applied = {(app, name) for app, names_ in restored.items() for name in names_}
    pending = sorted(
        f"{app}.{name}"
        for app, name in MigrationLoader(None).disk_migrations
        if (app, name) not in applied
    )
    return RestoreResult(
        manifest=manifest, files=len(names), extra_files=extra, pending_migrations=pending
    )
