"""``grassroots backup`` and ``grassroots restore`` on the engine the suite runs on (SQLite, or PostgreSQL
through DATABASE_URL), as an operator runs them: subprocesses against a scratch database of their own
(a new database on the same PostgreSQL server, or a temporary SQLite file) and a temporary GRASSROOTS_HOME
(so MEDIA_ROOT is temporary) — never pytest's own test database.

One site is migrated, given two people with encrypted ID numbers and phones and a photo, and backed up.
The archive holds the database, the photo and a manifest, and not the key (nor the sub-keys derived from
it). Restore refuses a non-empty database without --yes, puts the data and the photo back, and the
encrypted fields decrypt; it warns when the key is missing or different (and stops with --require-key),
and refuses a damaged archive or one of the other engine without changing anything.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.core import backup, crypto

# one worker runs them all (./dev test distributes by group): the site below is migrated once, not per worker
pytestmark = pytest.mark.xdist_group("backup")

BIN = Path(sys.executable).parent
KEY = os.environ["GRASSROOTS_DATA_KEY"]  # tests/conftest.py: the test process can decrypt what the site wrote
OTHER_KEY = "another-data-key-9876543210fedcba9876543210"
PHONE, ID_NUMBER = "13812345678", crypto.id_number_with_check("42030319800101001")
PHOTO = b"\xff\xd8\xff\xe0 a photo " + bytes(range(256))
PG = os.environ.get("DATABASE_URL", "").startswith("postgres")

SEED = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from grassroots.people.services import person_upsert
person_upsert(name="张三", district_code="420303", id_number="{ID_NUMBER}", phone="{PHONE}")
person_upsert(name="李四", district_code="420303", phone="13987654321")
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """scratch(label) → the URL of a new, empty database: on the PostgreSQL server of DATABASE_URL, else
    a SQLite file that does not exist yet. Dropped afterwards."""
    made: list[str] = []
    url = os.environ.get("DATABASE_URL", "")

    def new(label: str) -> str:
        if not PG:
            return f"sqlite:///{tmp_path_factory.mktemp(label)}/grassroots.sqlite3"
        import psycopg

        name = f"grassroots_backup_{os.getpid()}_{label}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()

    yield new
    if made:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def grassroots(*args: str, url: str, home: Path, key: str | None = KEY) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DJANGO_"))}
    env.update({"DATABASE_URL": url, "GRASSROOTS_HOME": str(home), "GRASSROOTS_DEBUG": "1"})
    if key is not None:
        env["GRASSROOTS_DATA_KEY"] = key
    return subprocess.run([str(BIN / "grassroots"), *args], env=env, cwd=home, capture_output=True, text=True,
                          timeout=300)


def query(url: str, sql: str, *params) -> list[tuple]:
    """Rows straight from a scratch database (the connection is closed again: restore needs the file alone)."""
    if PG:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        with conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall()
    finally:
        conn.close()


def tables(url: str) -> int:
    if PG:
        return query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0]
    path = Path(url.removeprefix("sqlite:///"))
    return query(url, "SELECT count(*) FROM sqlite_master WHERE type = 'table'")[0][0] if path.exists() else 0


def people(url: str) -> dict[str, tuple[str, str]]:
    return {name: (id_enc, phone_enc) for name, id_enc, phone_enc in
            query(url, "SELECT name, id_number_enc, phone_enc FROM people_person")}


@pytest.fixture(scope="module")
def site(scratch, tmp_path_factory):
    """A migrated site with two people and a photo, and its backup."""
    url, home = scratch("source"), tmp_path_factory.mktemp("source-home")
    seeded = grassroots("shell", "-c", SEED, url=url, home=home)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    photo = home / "var" / "media" / "photos" / "2026" / "a.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(PHOTO)
    made = grassroots("backup", "--output", str(home / "backups"), url=url, home=home)
    assert made.returncode == 0, made.stdout + made.stderr
    archives = list((home / "backups").glob("grassroots-*.tar"))
    assert len(archives) == 1, archives
    audit = query(url, "SELECT object_id FROM core_auditentry WHERE action = 'backup.create'")  # before a restore
    return SimpleNamespace(url=url, home=home, photo=photo, archive=archives[0], output=made.stdout + made.stderr,
                           audit=audit)


def test_the_archive_holds_database_media_and_manifest_but_not_the_key(site):
    with tarfile.open(site.archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert tar.extractfile("media/photos/2026/a.jpg").read() == PHOTO
    engine = "postgresql" if PG else "sqlite"
    assert names == {"manifest.json", backup.DATABASE_FILE[engine], "media/photos/2026/a.jpg"}
    assert manifest["engine"] == engine and manifest["format"] == "grassroots-backup"
    assert manifest["media"]["files"] == 1 and manifest["rows"]["people.Person"] == 2
    assert "0001_initial" in manifest["migrations"]["people"] and manifest["migrations"]["core"]
    assert len(manifest["data_key"]["fingerprint"]) == 16 and manifest["data_key"]["development"] is False
    assert site.archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    data = site.archive.read_bytes()
    assert KEY.encode() not in data
    encrypting = base64.urlsafe_b64encode(crypto._derive(b"grassroots/encrypt/v1"))  # Fernet's key
    indexing = crypto._derive(b"grassroots/blind-index/v1")
    assert encrypting not in data and indexing not in data and indexing.hex().encode() not in data
    assert PHONE.encode() not in data and ID_NUMBER.encode() not in data  # encrypted in the database file

    assert "GRASSROOTS_DATA_KEY 不在备份里" in site.output and "NOT in this archive" in site.output
    assert site.audit == [(site.archive.name,)]


def test_restore_puts_the_data_and_the_photo_back(site):
    query(site.url, "DELETE FROM people_person WHERE name = ?", "张三")
    query(site.url, "UPDATE people_person SET name = ? WHERE name = ?", "王五", "李四")
    site.photo.unlink()
    later = site.photo.with_name("later.jpg")
    later.write_bytes(b"uploaded after the backup")

    refused = grassroots("restore", str(site.archive), url=site.url, home=site.home)
    assert refused.returncode != 0
    assert "已有" in refused.stderr and "--yes" in refused.stderr, refused.stderr
    assert set(people(site.url)) == {"王五"} and not site.photo.exists()  # nothing changed

    restored = grassroots("restore", str(site.archive), "--yes", url=site.url, home=site.home)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "数据密钥指纹一致" in restored.stdout and "WARNING" not in restored.stderr
    rows = people(site.url)
    assert set(rows) == {"张三", "李四"}
    assert crypto.decrypt(rows["张三"][0]) == ID_NUMBER and crypto.decrypt(rows["张三"][1]) == PHONE
    assert site.photo.read_bytes() == PHOTO
    assert later.exists()  # a file the backup does not know is left alone
    audit = query(site.url, "SELECT object_id FROM core_auditentry WHERE action = 'backup.restore'")
    assert audit == [(site.archive.name,)]


def test_restore_without_the_key_warns_and_restores_the_rest(site, scratch, tmp_path, monkeypatch):
    url = scratch("nokey")
    restored = grassroots("restore", str(site.archive), url=url, home=tmp_path, key=None)
    assert restored.returncode == 0, restored.stdout + restored.stderr  # an empty database needs no --yes
    assert "WARNING" in restored.stderr and "无法解密" in restored.stderr and "cannot be decrypted" in restored.stderr
    assert "开发用的默认密钥" in restored.stderr
    rows = people(url)
    assert set(rows) == {"张三", "李四"}
    assert (tmp_path / "var" / "media" / "photos" / "2026" / "a.jpg").read_bytes() == PHOTO
    # what the warning means: the development key cannot read the phone; the original key can
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", crypto.DEV_KEY)
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(rows["张三"][1])
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", KEY)
    assert crypto.decrypt(rows["张三"][1]) == PHONE


def test_a_different_key_with_require_key_stops_before_anything(site, monkeypatch, capsys):
    """In this process, without database access (pytest-django refuses it here): the key check comes first."""
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", OTHER_KEY)
    with pytest.raises(CommandError, match="--require-key") as stopped:
        call_command("restore", str(site.archive), "--require-key", "--yes")
    assert "没有恢复任何数据" in str(stopped.value)
    warning = capsys.readouterr().err
    assert "与备份时的不同" in warning and "cannot be decrypted without the original" in warning


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive whose members pass through change(name, data) → (name, data) or None."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            kept = change(member.name, source.extractfile(member).read())
            if kept:
                info = tarfile.TarInfo(kept[0])
                info.size = len(kept[1])
                out.addfile(info, io.BytesIO(kept[1]))
    return target


def test_damaged_or_foreign_archives_are_refused(site, tmp_path):
    """In this process, without database access (pytest-django refuses it here): each refusal comes before
    the database is touched, even with --yes."""
    whole = site.archive.read_bytes()
    cases = {
        "not a tar": (tmp_path / "random.tar", "不是 tar 文件"),
        "truncated": (tmp_path / "truncated.tar", "已损坏"),
        "no manifest": (rewrite(site.archive, tmp_path / "nomanifest.tar",
                                lambda n, d: None if n == "manifest.json" else (n, d)), "没有 manifest.json"),
        "bad manifest": (rewrite(site.archive, tmp_path / "badjson.tar",
                                 lambda n, d: (n, d[:20]) if n == "manifest.json" else (n, d)), "已损坏"),
        "no database": (rewrite(site.archive, tmp_path / "nodb.tar",
                                lambda n, d: None if n.startswith("database.") else (n, d)), "没有数据库文件"),
        "damaged database": (rewrite(site.archive, tmp_path / "damaged.tar", lambda n, d: (
            n, d[:-64] + bytes(b ^ 0xFF for b in d[-64:]) if n.startswith("database.") else d)), "校验值不符"),
    }
    (tmp_path / "random.tar").write_bytes(os.urandom(5000))
    (tmp_path / "truncated.tar").write_bytes(whole[: len(whole) // 2])
    for what, (path, message) in cases.items():
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(path), "--yes")
        assert message in str(refused.value), (what, str(refused.value))

    # an archive of the other engine
    here, other = ("postgresql", "sqlite") if PG else ("sqlite", "postgresql")

    def swap(name: str, data: bytes):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["engine"], manifest["database"]["file"] = other, backup.DATABASE_FILE[other]
            return name, json.dumps(manifest).encode()
        return (backup.DATABASE_FILE[other], data) if name == backup.DATABASE_FILE[here] else (name, data)

    with pytest.raises(CommandError, match="DATABASE_URL") as refused:
        call_command("restore", str(rewrite(site.archive, tmp_path / "other.tar", swap)), "--yes")
    assert {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[other] + " 数据库" in str(refused.value)


def test_missing_postgresql_tools_name_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    for tool in ("pg_dump", "pg_restore"):
        with pytest.raises(backup.BackupError, match="postgresql-client"):
            backup.pg_tool(tool)


def test_the_password_goes_to_pg_dump_through_the_environment(monkeypatch, tmp_path):
    seen = {}

    def run(args, *, env, **kwargs):
        seen.update(args=args, env=env)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup, "connection", SimpleNamespace(settings_dict={
        "NAME": "grassroots", "USER": "site", "PASSWORD": "s3cret-pass", "HOST": "db.internal", "PORT": 5433,
        "OPTIONS": {"sslmode": "require"}}))
    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", run)
    backup._dump_postgresql(tmp_path / "db.pgdump")
    assert not any("s3cret-pass" in arg for arg in seen["args"])
    assert "--format=custom" in seen["args"]
    assert seen["env"]["PGPASSWORD"] == "s3cret-pass" and seen["env"]["PGDATABASE"] == "grassroots"
    assert seen["env"]["PGHOST"] == "db.internal" and seen["env"]["PGPORT"] == "5433"
    assert seen["env"]["PGSSLMODE"] == "require"


def test_a_backup_made_before_a_key_rotation_restores_with_the_old_key_kept_as_previous(monkeypatch):
    """After rotate_data_key the old key stays in GRASSROOTS_DATA_KEY_PREVIOUS while rows move: an archive
    made under it is readable, and the restore says to rotate again instead of warning of lost data."""
    from grassroots.core import backup as core_backup

    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", old)
    manifest = {"data_key": {"fingerprint": core_backup.current_key().fingerprint, "development": False}}
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", new)
    assert not core_backup.key_check(manifest).ok  # the old key is gone: the ID numbers would be lost
    monkeypatch.setenv("GRASSROOTS_DATA_KEY_PREVIOUS", old)
    check = core_backup.key_check(manifest)
    assert check.ok and "rotate_data_key" in check.message
