"""Backups of a whole site in one archive, and their restore (``grassroots backup`` / ``grassroots restore``).

An archive is a plain tar file (``grassroots-YYYYMMDD-HHMMSS.tar``, mode 0600) holding:

- ``database.pgdump`` — PostgreSQL: ``pg_dump --format=custom`` of DATABASE_URL's database (one snapshot);
- ``database.sqlite3`` — SQLite: a consistent copy made with SQLite's online backup API while the site runs;
- ``media/…`` — every file under MEDIA_ROOT (photos, reports, exports);
- ``manifest.json`` — format and version, when, the engine, the database file's size and sha256, the latest
  applied migrations per app, a few row counts, and a fingerprint of the data key.

The data key (``GRASSROOTS_DATA_KEY``, core/crypto.py) is never written: the manifest holds only the first
16 hex digits of sha256 over an HKDF-derived value of its own, which tells "same key or not" at restore and
gives nothing from which the key or the encryption sub-keys can be derived. docs/backup.md is the guide.
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from . import crypto
from .services import audit_record

FORMAT = "grassroots-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILE = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_DIR = "media"
COUNTED = ("accounts.User", "areas.Area", "people.Person", "cases.Case", "core.AuditEntry")
_FINGERPRINT_INFO = b"grassroots/backup-key-fingerprint/v1"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure the operator can act on (the message says what to do)."""


# --- the key's fingerprint -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyState:
    fingerprint: str | None  # None: no usable key
    development: bool  # the public development key of core/crypto.py
    problem: str = ""  # why there is no usable key


def current_key() -> KeyState:
    """The fingerprint of GRASSROOTS_DATA_KEY as this process sees it (the development key when it is unset
    and GRASSROOTS_DEBUG=1, as core/crypto.py does)."""
    value = os.environ.get("GRASSROOTS_DATA_KEY", "")
    try:
        derived = crypto._derive(_FINGERPRINT_INFO)
    except crypto.DataKeyError as exc:
        return KeyState(None, False, str(exc))
    return KeyState(hashlib.sha256(derived).hexdigest()[:16], not value or value == crypto.DEV_KEY)


def _previous_fingerprints() -> list[str]:
    """The fingerprints of the older keys still read (core/crypto.py, GRASSROOTS_DATA_KEY_PREVIOUS)."""
    try:
        return crypto.fingerprints()[1:]
    except crypto.DataKeyError:
        return []


@dataclass(frozen=True)
class KeyCheck:
    ok: bool  # the encrypted fields will decrypt with a real (not the development) key
    message: str


def key_check(manifest: dict) -> KeyCheck:
    """Compare the key the archive was made with and the key configured now."""
    saved = manifest.get("data_key") or {}
    then, now = saved.get("fingerprint"), current_key()
    lost = ("没有原来的数据密钥，备份中的身份证号和手机号无法解密（按号码查找也会失效）；其余数据可以正常使用。\n"
            "WARNING: ID numbers and phone numbers in this backup cannot be decrypted without the original "
            "GRASSROOTS_DATA_KEY (nor found by number); the rest of the data is usable.")
    if not then:
        return KeyCheck(False, "警告：备份没有记录数据密钥的指纹，无法确认当前密钥是否就是备份时的密钥。\n"
                               "WARNING: the archive records no data-key fingerprint; the key cannot be checked.")
    if now.fingerprint is None:
        return KeyCheck(False, f"警告：当前没有可用的 GRASSROOTS_DATA_KEY（{now.problem}）。{lost}")
    if now.fingerprint != then and then in _previous_fingerprints():
        return KeyCheck(True, f"备份时的数据密钥（{then}）在 GRASSROOTS_DATA_KEY_PREVIOUS 中：加密字段可以读取；恢复后请运行 "
                              "grassroots rotate_data_key，把它们改用当前密钥加密。\nThe backup's key is one of "
                              "GRASSROOTS_DATA_KEY_PREVIOUS: readable; run rotate_data_key after the restore.")
    if now.fingerprint != then:
        if saved.get("development"):
            lost += "\n（备份时使用的是开发用的默认密钥 / the backup was made with the development key.）"
        if now.development:
            return KeyCheck(False, "警告：当前没有设置 GRASSROOTS_DATA_KEY，正在使用开发用的默认密钥，"
                                   f"与备份时的密钥不同（备份 {then}，当前 {now.fingerprint}）。{lost}")
        return KeyCheck(False, f"警告：当前的 GRASSROOTS_DATA_KEY 与备份时的不同（备份 {then}，当前 "
                               f"{now.fingerprint}）。{lost}")
    if now.development:
        return KeyCheck(False, "警告：备份和当前都使用开发用的默认密钥：加密字段可以解密，但这把密钥是公开的，"
                               "生产环境必须设置自己的 GRASSROOTS_DATA_KEY。\nWARNING: both the backup and this "
                               "site use the public development key; set a real GRASSROOTS_DATA_KEY in production.")
    return KeyCheck(True, f"数据密钥指纹一致（{then}）：加密字段可以解密。")


# --- what the manifest records ---------------------------------------------------------------------------


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILE:
        raise BackupError(f"不支持的数据库类型：{vendor}（只支持 PostgreSQL 和 SQLite）")
    return vendor


def migration_state() -> dict[str, list[str]]:
    """Per app, the applied migrations that no other applied migration of the same app follows."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    state: dict[str, list[str]] = {}
    for app, name in applied:
        node = loader.graph.node_map.get((app, name))
        if not any(child.key in applied and child.key[0] == app for child in (node.children if node else ())):
            state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def row_counts() -> dict[str, int]:
    counts = {}
    for label in COUNTED:
        try:
            counts[label] = apps.get_model(label)._base_manager.count()
        except (LookupError, DatabaseError):  # an app not installed, a table not migrated yet
            continue
    return counts


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the archive's database has applied that this code does not have (a newer release made it)."""
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, names in (manifest.get("migrations") or {}).items()
            for name in names if (app, name) not in on_disk]


# --- PostgreSQL's client programs ------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client，"
                          f"主版本不低于服务器的）。\n{name} not found: install the Debian package postgresql-client.")
    return path


_PG_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
               "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "service": "PGSERVICE",
               "passfile": "PGPASSFILE", "options": "PGOPTIONS"}


def pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: the password goes through PGPASSWORD, never the
    command line (where any user of the machine could read it in the process list)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("NAME", "PGDATABASE"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if db.get(key):
            env[var] = str(db[key])
    for key, var in _PG_OPTIONS.items():
        if (db.get("OPTIONS") or {}).get(key):
            env[var] = str(db["OPTIONS"][key])
    return env


def _run(args: list[str], *, env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 (a list, no shell)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        hint = ""
        if "version mismatch" in detail:
            hint = "\n提示：pg_dump 的主版本低于服务器的，请安装与服务器相同主版本的 postgresql-client。"
        elif "lock timeout" in detail:
            hint = "\n提示：数据库正被使用。请先停止网站和 worker（systemctl stop grassroots-web 'grassroots-worker@*'）。"
        raise BackupError(f"{what}失败（{Path(args[0]).name} 退出码 {done.returncode}）：\n{detail}{hint}")


# --- backup ----------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"无法备份或恢复内存中的 SQLite 数据库：{name}")
    return Path(name)


def _quick_check(db: sqlite3.Connection) -> str:
    """SQLite's page and index check. CHECK constraints are left out: some call Django's functions (REGEXP),
    which a plain sqlite3 connection does not have, and Django checked them on every write."""
    db.execute("PRAGMA ignore_check_constraints=ON")
    return "; ".join(row[0] for row in db.execute("PRAGMA quick_check"))


def _dump_sqlite(target: Path) -> None:
    source_path = _sqlite_path()
    if not source_path.is_file():
        raise BackupError(f"SQLite 数据库文件不存在：{source_path}")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent snapshot; in WAL mode the site's writers are not blocked
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if (check := _quick_check(copy)) != "ok":
            raise BackupError(f"数据库副本检查失败：{check}")
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path) -> None:
    _run([pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
         env=pg_env(), what="pg_dump 导出数据库")


def _media_files(skip: Path) -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append((path, f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}"))
    return found


def _archive_path(output: str | os.PathLike | None, stamp: str) -> Path:
    name = f"grassroots-{stamp}.tar"
    if not output:
        return Path(settings.PROJECT_DIR) / "var" / "backups" / name
    path = Path(output)  # a name ending in .tar is the archive itself; anything else is a folder for it
    return path if path.suffix == ".tar" and not path.is_dir() else path / name


def backup_create(*, output: str | os.PathLike | None = None) -> BackupResult:
    """Write one archive and return where. The archive appears under its name only once complete."""
    kind = engine()
    now = timezone.localtime()
    final = _archive_path(output, now.strftime("%Y%m%d-%H%M%S"))
    if final.exists():
        raise BackupError(f"文件已存在：{final}")
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = current_key()
    with tempfile.TemporaryDirectory(dir=final.parent, prefix=".grassroots-backup-") as work:
        dump = Path(work) / DATABASE_FILE[kind]
        migrations, counts = migration_state(), row_counts()
        (_dump_postgresql if kind == "postgresql" else _dump_sqlite)(dump)
        media = _media_files(skip=final.parent.resolve())
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": now.isoformat(), "engine": kind,
            "database": {"file": DATABASE_FILE[kind], "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
            "media": {"dir": MEDIA_DIR, "files": 0, "bytes": 0},
            "migrations": migrations, "rows": counts,
            "data_key": {"fingerprint": key.fingerprint, "development": key.development,
                         "note": "the key itself is not in this archive; keep GRASSROOTS_DATA_KEY apart"},
        }
        partial = Path(work) / "archive.tar"
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(dump, arcname=DATABASE_FILE[kind])
            for path, arcname in media:
                try:
                    tar.add(path, arcname=arcname, recursive=False)
                except FileNotFoundError:  # deleted by the site while we were writing
                    continue
                manifest["media"]["files"] += 1
                manifest["media"]["bytes"] += tar.getmember(arcname).size
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        os.replace(partial, final)
    return BackupResult(final, manifest, final.stat().st_size, _sha256(final))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


# --- restore ---------------------------------------------------------------------------------------------


def archive_read(path: str | os.PathLike) -> dict:
    """The archive's manifest, checked: a readable tar with a manifest of this format and version, and the
    database file it names. Raises BackupError with what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    try:
        with tarfile.open(path, mode="r:") as tar:
            try:
                manifest = json.loads(tar.extractfile(MANIFEST).read().decode())
            except KeyError:
                raise BackupError(f"{path.name} 中没有 {MANIFEST}：不是 grassroots 备份，或备份已损坏。") from None
            names = set(tar.getnames())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"无法读取备份文件 {path.name}（已损坏或不是 tar 文件）：{exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path.name} 的 {MANIFEST} 已损坏：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path.name} 的 {MANIFEST} 不是 grassroots 备份的清单。")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('version')} 不受支持（本版本支持 ≤ {VERSION}）："
                          "请用较新的 grassroots 恢复。")
    kind = manifest.get("engine")
    database = manifest.get("database") or {}
    if kind not in DATABASE_FILE or database.get("file") != DATABASE_FILE[kind] or not database.get("sha256"):
        raise BackupError(f"{path.name} 的清单缺少数据库信息或数据库类型不明（{kind}）。")
    if database["file"] not in names:
        raise BackupError(f"{path.name} 中没有数据库文件 {database['file']}：备份不完整。")
    return manifest


def engine_check(manifest: dict) -> None:
    label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    here = engine()
    if manifest["engine"] != here:
        raise BackupError(f"备份来自 {label[manifest['engine']]} 数据库，而当前配置的是 {label[here]}"
                          f"（DATABASE_URL）：不能直接恢复。\nThe archive holds a {label[manifest['engine']]} "
                          f"database; the configured database is {label[here]}.")


def target_description() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(db["NAME"])
    return f"{db.get('NAME')}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


def target_tables() -> list[str]:
    if connection.vendor == "sqlite" and not _sqlite_path().exists():
        return []
    try:
        with connection.cursor() as cursor:
            return sorted(connection.introspection.table_names(cursor))
    except DatabaseError as exc:
        raise BackupError(f"无法连接目标数据库 {target_description()}（DATABASE_URL）：{exc}") from exc


@dataclass
class RestoreResult:
    media_files: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # label → (in the manifest, now)
    audit_problem: str = ""


@contextmanager
def database_extracted(*, path: str | os.PathLike, manifest: dict) -> Iterator[Path]:
    """The archive's database file, copied out and checked (its sha256 against the manifest; SQLite's own
    check of a SQLite file), in a temporary folder (TMPDIR) that goes away afterwards. Touches no database,
    so a damaged archive is refused before the operator is asked for anything."""
    with tempfile.TemporaryDirectory(prefix="grassroots-restore-") as work:
        dump = Path(work) / manifest["database"]["file"]
        digest = hashlib.sha256()
        try:
            with tarfile.open(path, mode="r:") as tar, open(dump, "wb") as out:
                source = tar.extractfile(manifest["database"]["file"])
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except (tarfile.TarError, EOFError) as exc:
            raise BackupError(f"读取备份中的数据库文件失败（备份已损坏）：{exc}") from exc
        if digest.hexdigest() != manifest["database"]["sha256"]:
            raise BackupError("备份中的数据库文件与清单的校验值不符：备份已损坏，未做任何改动。")
        if manifest["engine"] == "sqlite":
            copy = sqlite3.connect(dump)
            try:
                if (check := _quick_check(copy)) != "ok":
                    raise BackupError(f"备份中的数据库检查失败（备份已损坏）：{check}；未做任何改动。")
            finally:
                copy.close()
        yield dump


def _restore_sqlite(dump: Path) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    if target.exists():
        # Leaving WAL mode needs the only connection to the file: a running site or worker holding one
        # makes this fail, and the old file's -wal (which would be replayed into the new file) goes away.
        old = sqlite3.connect(target, timeout=2)
        try:
            old.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError as exc:
            raise BackupError(f"数据库文件正被其他进程使用（{exc}）：请先停止网站和 worker 再恢复。") from exc
        finally:
            old.close()
        shutil.copymode(target, dump)
    staged = target.with_name(f".{target.name}.restoring")
    try:
        shutil.move(dump, staged)  # beside the target, so that putting it in place is one rename
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def _restore_postgresql(dump: Path) -> None:
    env = pg_env()
    # a site still serving holds locks on the tables: fail after a minute instead of waiting for ever
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout=60000".strip()
    connections.close_all()
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password",
          f"--dbname={connection.settings_dict['NAME']}", str(dump)], env=env, what="pg_restore 恢复数据库")


def _restore_media(tar: tarfile.TarFile) -> int:
    """The archive's media files, written over MEDIA_ROOT (files uploaded after the backup stay)."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    members = []
    for member in tar.getmembers():
        if member.name.startswith(f"{MEDIA_DIR}/") and (member.isfile() or member.isdir()):
            member = member.replace(name=member.name[len(MEDIA_DIR) + 1:], deep=False)
            members.append(member)
    tar.extractall(root, members=members, filter="data")  # refuses absolute paths, "..", links out
    return sum(1 for m in members if m.isfile())


def backup_restore(*, path: str | os.PathLike, manifest: dict, database: Path) -> RestoreResult:
    """Replace the configured database with ``database`` (from ``database_extracted``) and write the media
    files back. The caller has checked the engine, the key and the operator's consent. PostgreSQL restores
    in one transaction: a failure there changes nothing."""
    result = RestoreResult()
    kind = manifest["engine"]
    (_restore_postgresql if kind == "postgresql" else _restore_sqlite)(database)
    with tarfile.open(path, mode="r:") as tar:
        result.media_files = _restore_media(tar)
    connections.close_all()
    try:
        audit_record(actor=None, action="backup.restore", object_type="backup", object_id=Path(path).name[:64],
                     detail={"archive": str(Path(path).resolve()), "created_at": manifest.get("created_at"),
                             "engine": kind, "media_files": result.media_files,
                             "data_key_fingerprint": (manifest.get("data_key") or {}).get("fingerprint"),
                             "os_user": _os_user()})
    except DatabaseError as exc:  # the data is back; say so rather than end in a traceback
        result.audit_problem = str(exc)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    result.pending_migrations = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    now = row_counts()
    result.rows = {label: (then, now.get(label, 0)) for label, then in (manifest.get("rows") or {}).items()}
    return result


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (a container)
        return str(os.getuid())


def backup_audit(result: BackupResult) -> None:
    audit_record(actor=None, action="backup.create", object_type="backup", object_id=result.path.name[:64],
                 detail={"archive": str(result.path.resolve()), "bytes": result.size, "sha256": result.sha256,
                         "engine": result.manifest["engine"], "media_files": result.manifest["media"]["files"],
                         "data_key_fingerprint": result.manifest["data_key"]["fingerprint"],
                         "os_user": _os_user()})
