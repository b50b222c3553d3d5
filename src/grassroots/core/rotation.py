"""Re-encrypt every encrypted column under the current data key (``grassroots rotate_data_key``, docs/keys.md).

Which columns: found by the naming convention, not by a list someone must keep — every concrete model of
every installed app, each field ``<name>_enc`` (a Fernet token, ``crypto.encrypt``), with ``<name>_index``
beside it when the model has one (the blind index of the same plain value, ``crypto.blind_index``). Core
imports no domain app: it asks ``django.apps`` for the models. An ``_index`` column without an ``_enc``
beside it (portal's short-lived sign-in codes) is not the index of a stored value and is left alone
(``unpaired_indexes``; tests/core/test_rotate_key.py names each one and says why).

How: model by model in primary-key order, batches of ``size`` rows, each in its own transaction with the
rows locked (``SELECT … FOR UPDATE``; SQLite serialises writers itself). A token the current key opens is
left as it is; any other is opened with a previous key and encrypted again with the current one, and the
index is recomputed. The last primary key done is written to ``core.KeyRotation`` in the batch's own
transaction, so a crash loses at most the batch it interrupted and a rerun resumes after the last one
committed. At the end every row is read again: each must open with the current key alone.

Refusals (``RotationError``, nothing of the batch written): a token no known key opens (an older key is
missing from GRASSROOTS_DATA_KEY_PREVIOUS), an index that is no key's blind index of its row's value (a
column that does not follow the convention: the rotation would break it), or a unique index that would
collide (two rows for the same number, one under each key: a process still running with the old key alone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from . import crypto
from .models import KeyRotation
from .services import audit_record

DEFAULT_BATCH = 500


class RotationError(RuntimeError):
    pass


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    names: tuple[str, ...]  # "phone" for phone_enc
    indexed: tuple[str, ...]  # the names that also have <name>_index

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def columns(self) -> list[str]:
        return [f"{n}_enc" for n in self.names] + [f"{n}_index" for n in self.indexed]


def encrypted_models() -> list[EncryptedModel]:
    """Every model with an ``<name>_enc`` column, by label."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        local = {f.name for f in opts.local_concrete_fields}
        names = tuple(sorted(n[:-4] for n in local if n.endswith("_enc")))
        if names:
            found.append(EncryptedModel(model, names, tuple(n for n in names if f"{n}_index" in local)))
    return sorted(found, key=lambda m: m.label)


def unpaired_indexes() -> list[str]:
    """``label.field`` of every ``<name>_index`` column without an ``<name>_enc`` beside it (not rotated)."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        local = {f.name for f in opts.local_concrete_fields}
        found += [f"{opts.label_lower}.{n}" for n in local if n.endswith("_index") and f"{n[:-6]}_enc" not in local]
    return sorted(found)


# --- one row ---------------------------------------------------------------------------------------------


class _Lost(RotationError):
    pass


class _Mismatch(RotationError):
    pass


def _renewed(obj, em: EncryptedModel, keys: tuple[crypto.DataKey, ...]) -> tuple[dict[str, str], set[int]]:
    """The columns of ``obj`` to rewrite under the current key, ``keys[0]`` (none when it is already current),
    and the numbers of the previous keys it was under. Raises _Lost or _Mismatch."""
    new: dict[str, str] = {}
    under: set[int] = set()
    for name in em.names:
        token = getattr(obj, f"{name}_enc")
        if not token:
            continue
        try:
            plain, n = crypto.open_token(token, keys)
        except crypto.DataKeyError as exc:
            raise _Lost(f"{em.label} #{obj.pk} 的 {name}_enc 无法用当前密钥或 GRASSROOTS_DATA_KEY_PREVIOUS 中的任何"
                        "密钥解密：是否缺少更早的密钥？") from exc
        if n:
            new[f"{name}_enc"] = crypto.encrypt(plain, key=keys[0])
            under.add(n)
        stored = getattr(obj, f"{name}_index") if name in em.indexed else ""
        if stored:
            candidates = crypto.blind_indexes(plain, keys)
            if stored not in candidates:
                raise _Mismatch(f"{em.label} #{obj.pk} 的 {name}_index 不是其 {name}_enc 的值在任何已知密钥下的盲索引："
                                "该列不符合“_enc 与 _index 成对”的约定，轮换会破坏它，已停止")
            if stored != candidates[0]:
                new[f"{name}_index"] = candidates[0]
                under.add(candidates.index(stored))
    return new, under


def _write(em: EncryptedModel, rows: list) -> None:
    """One ``UPDATE … WHERE pk = %s`` per row, sent with executemany (``bulk_update``'s CASE expressions
    spent four fifths of the time building SQL)."""
    opts, quote = em.model._meta, connection.ops.quote_name
    columns = [opts.get_field(c).column for c in em.columns]
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)  # names from the model, quoted; values bound
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[getattr(o, c) for c in em.columns] + [opts.pk.get_db_prep_value(o.pk, connection)]
                                 for o in rows])


def _rows_after(em: EncryptedModel, last_pk: str, size: int, *, lock: bool) -> list:
    qs = em.model._base_manager.order_by("pk").only("pk", *em.columns)
    if last_pk:
        qs = qs.filter(pk__gt=em.model._meta.pk.to_python(last_pk))
    if lock and connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return list(qs[:size])


# --- rotating --------------------------------------------------------------------------------------------


@dataclass
class ModelResult:
    label: str
    scanned: int = 0  # rows read in this run
    rotated: int = 0  # rows rewritten in this run
    resumed_after: str = ""  # the primary key an earlier, interrupted run had reached
    skipped: bool = False  # finished by an earlier run under this key


@dataclass
class RotationResult:
    fingerprint: str
    previous: list[str]
    models: list[ModelResult] = field(default_factory=list)
    survey: list[Survey] = field(default_factory=list)

    @property
    def rotated(self) -> int:
        return sum(m.rotated for m in self.models)


def _batch(em: EncryptedModel, progress_id: int, size: int) -> tuple[int, int, bool]:
    """One batch in its own transaction: ``(rows read, rows rewritten, model finished)``."""
    with transaction.atomic():
        progress = KeyRotation.objects.select_for_update().get(pk=progress_id)  # one run at a time per model
        if progress.done:
            return 0, 0, True
        rows = _rows_after(em, progress.last_pk, size, lock=True)
        keys, changed = crypto.data_keys(), []
        for obj in rows:
            new, _ = _renewed(obj, em, keys)
            if new:
                for column, value in new.items():
                    setattr(obj, column, value)
                changed.append(obj)
        if changed:
            try:
                _write(em, changed)
            except IntegrityError as exc:
                raise RotationError(
                    f"{em.label} 主键 {rows[0].pk}–{rows[-1].pk} 之间：改写盲索引时与另一行冲突（同一号码在新旧密钥下各有一行）。"
                    "多半是仍有进程只用旧密钥运行：请先让所有进程使用新密钥并重启，合并重复的行后再运行") from exc
        if rows:
            progress.last_pk = str(rows[-1].pk)
        progress.rows += len(rows)
        progress.rotated += len(changed)
        progress.done = len(rows) < size
        progress.updated_at = timezone.now()
        progress.save(update_fields=["last_pk", "rows", "rotated", "done", "updated_at"])
        return len(rows), len(changed), progress.done


def rotate(*, size: int = DEFAULT_BATCH, on_batch: Callable[[str, int, int], None] | None = None) -> RotationResult:
    """Rotate every encrypted model to the current key (resuming an interrupted run under the same key),
    verify, and append an audit row with the counts. Raises RotationError; the batches before stay done."""
    if size < 1:
        raise RotationError("批大小必须大于 0")
    fingerprints = crypto.fingerprints()
    result = RotationResult(fingerprint=fingerprints[0], previous=fingerprints[1:])
    plan = encrypted_models()
    latest = KeyRotation.objects.order_by("-updated_at", "-pk").first()
    if latest is not None and latest.key_fingerprint != result.fingerprint:
        # Progress towards this key from before a rotation to another one (back to a key used earlier): stale.
        KeyRotation.objects.filter(key_fingerprint=result.fingerprint).update(
            last_pk="", rows=0, rotated=0, done=False, started_at=timezone.now(), updated_at=timezone.now())
    for em in plan:
        progress, _ = KeyRotation.objects.get_or_create(key_fingerprint=result.fingerprint, model=em.label)
        done = ModelResult(em.label, resumed_after=progress.last_pk if not progress.done else "",
                           skipped=progress.done)
        result.models.append(done)
        finished = progress.done
        while not finished:
            scanned, rotated, finished = _batch(em, progress.pk, size)
            done.scanned += scanned
            done.rotated += rotated
            if on_batch and scanned:
                on_batch(em.label, done.scanned, done.rotated)
    result.survey = survey(plan, size=max(size, 2000))
    stale = [s for s in result.survey if not s.clean]
    if stale:
        # Rows written under an old key after the pass (a process that still runs with the old key alone):
        # walk these models again on the next run.
        KeyRotation.objects.filter(key_fingerprint=result.fingerprint, model__in=[s.label for s in stale]).update(
            done=False, last_pk="", updated_at=timezone.now())
        raise RotationError("核验未通过：" + "；".join(s.describe() for s in stale)
                            + "。请确认所有进程都已使用新密钥并重启，然后再次运行")
    audit_record(actor=None, action="data_key.rotate", object_type="core.keyrotation",
                 object_id=result.fingerprint,
                 detail={"key": result.fingerprint, "previous": result.previous, "batch": size,
                         "models": {m.label: {"scanned": m.scanned, "rotated": m.rotated,
                                              "resumed_after": m.resumed_after, "finished_before": m.skipped}
                                    for m in result.models},
                         "rows": {s.label: s.rows for s in result.survey}})
    return result


# --- surveying (``--check``, and the verification after a rotation) ----------------------------------------


@dataclass
class Survey:
    label: str
    rows: int = 0  # rows with at least one encrypted value
    current: int = 0  # all of them under the current key (and their indexes too)
    old: int = 0  # still (partly) under a previous key
    lost: int = 0  # a value no known key opens
    mismatched: int = 0  # an index that is no key's index of its value
    by_key: Counter = field(default_factory=Counter)  # previous key's fingerprint → rows

    @property
    def clean(self) -> bool:
        return self.rows == self.current

    def describe(self) -> str:
        parts = [f"{self.label}：{self.rows} 行，当前密钥 {self.current} 行"]
        if self.old:
            parts.append(f"旧密钥 {self.old} 行（" + "，".join(f"{k} {n} 行" for k, n in sorted(self.by_key.items())) + "）")
        if self.lost:
            parts.append(f"无法解密 {self.lost} 行")
        if self.mismatched:
            parts.append(f"盲索引不符 {self.mismatched} 行")
        return "，".join(parts)


def survey(plan: list[EncryptedModel] | None = None, *, size: int = 2000) -> list[Survey]:
    """Read every encrypted row (nothing written) and count it by the key it is under."""
    keys = crypto.data_keys()
    fingerprints = [k.fingerprint for k in keys]
    surveys = []
    for em in plan if plan is not None else encrypted_models():
        found = Survey(em.label)
        last = ""
        while rows := _rows_after(em, last, size, lock=False):
            last = str(rows[-1].pk)
            for obj in rows:
                if not any(getattr(obj, f"{n}_enc") for n in em.names):
                    continue
                found.rows += 1
                try:
                    new, under = _renewed(obj, em, keys)
                except _Lost:
                    found.lost += 1
                    continue
                except _Mismatch:
                    found.mismatched += 1
                    continue
                if new:
                    found.old += 1
                    found.by_key.update(fingerprints[k] for k in under)
                else:
                    found.current += 1
        surveys.append(found)
    return surveys
