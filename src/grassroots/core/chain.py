"""Hash chains over append-only tables (the audit trail, the case events): tamper-evident rows.

Every row of a chained table carries ``prev_hash`` (the hash of the row before it in its chain) and
``hash`` = sha256 over the row's own fields (``chain_fields``) and ``prev_hash``, in one canonical form.
One chain per table and district (``district_code``), so a shard by district keeps its chains whole;
rows of a chain follow each other in primary-key order.

Appending takes the district's chain lock first (PostgreSQL: ``pg_advisory_xact_lock``, held to the end of
the writer's transaction; SQLite: the project opens every transaction IMMEDIATE, one writer at a time),
then reads the chain's last hash, then inserts, so primary-key order is chain order. One lock per district
covers every chained table, so two writers that append to both tables in different orders cannot deadlock.

``verify`` walks a chain in primary-key order and reports the first row whose hash or link is wrong
(``grassroots audit_verify``, docs/security.md). No domain imports: a table joins by inheriting
``ChainedModel``; the command finds every such model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import connections, models, router, transaction
from django.utils import timezone

GENESIS = "0" * 64
LOCK_SPACE = 0x43484149 << 24  # "CHAI": advisory lock keys of the chains, one per district


# --- the canonical form --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as it reads back from either database, in JSON: aware datetimes in UTC to the microsecond,
    integral floats as ints (PostgreSQL's jsonb prints 1e20 as an integer), dict keys as strings."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):  # as Django stores a naive value under USE_TZ
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # jsonb keeps the decimal that was written and prints it without exponent
        return int(Decimal(repr(value))) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def canonical(values: dict[str, Any], prev_hash: str) -> str:
    """The text that is hashed: the row's chained fields and the previous hash, sorted, compact."""
    return json.dumps({"prev": prev_hash, "row": _plain(values)}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)


def digest(values: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(values, prev_hash).encode()).hexdigest()


# --- the chained tables --------------------------------------------------------------------------------


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk writers get their rows chained too: each district's lock, then hashes in list order (the
        order the keys are given), then the one INSERT per batch."""
        objs = list(objs)
        if objs and not kwargs.get("ignore_conflicts") and not kwargs.get("update_conflicts"):
            with transaction.atomic(using=self.db):
                seal(self.model, objs, using=self.db)
                return super().bulk_create(objs, *args, **kwargs)
        return super().bulk_create(objs, *args, **kwargs)


class ChainedModel(models.Model):
    """An append-only table whose rows are chained. Subclasses name the hashed fields (attnames) in
    ``chain_fields``; a new field is not covered until it is added there (and the rows sealed again)."""

    chain_fields: Sequence[str] = ()
    # a foreign key set to NULL when its row is deleted (the actor) is hashed through a plain copy, kept
    # whatever happens to the user; the live column must equal it or be NULL
    chain_refs: dict[str, str] = {}

    prev_hash = models.CharField("prev_hash", max_length=64, default="", editable=False)
    hash = models.CharField("hash", max_length=64, default="", editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or self.hash:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # savepoint=False: inside the caller's transaction the seal and the insert need no savepoint of
        # their own (an error rolls the whole transaction back anyway)
        with transaction.atomic(using=using, savepoint=False):
            seal(type(self), [self], using=using)
            return super().save(*args, **kwargs)

    def chain_values(self) -> dict[str, Any]:
        out = {}
        for name in self.chain_fields:
            value = getattr(self, name)
            f = self._meta.get_field(name)  # by attname too
            if isinstance(f, models.JSONField):  # what the database will hand back
                value = json.loads(json.dumps(value, cls=f.encoder))
            out[name] = value
        return out

    def fill_chain(self) -> None:
        for live, ref in self.chain_refs.items():
            setattr(self, ref, getattr(self, live))


def chained_models() -> list[type[ChainedModel]]:
    return [m for m in apps.get_models() if issubclass(m, ChainedModel)]


def lock(district_codes: Iterable[str], *, using: str = "default") -> None:
    """Take the chain locks of these districts, in one order (PostgreSQL; to the end of the transaction)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for code in sorted(set(district_codes)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(code)])


def lock_key(district_code: str) -> int:
    n = int.from_bytes(hashlib.sha256(district_code.encode()).digest()[:3], "big")
    return LOCK_SPACE + n


def head(model: type[ChainedModel], district_code: str, *, using: str = "default") -> str:
    # Plain SQL: this runs in every chained insert (a resident's submit among them), and building the
    # same query through the ORM cost more than the indexed look-up itself.
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('hash')} FROM {quote(meta.db_table)} "  # noqa: S608 (names from the model)
                       f"WHERE {quote('district_code')} = %s ORDER BY {quote(meta.pk.column)} DESC LIMIT 1",
                       [district_code])
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


def seal(model: type[ChainedModel], objs: Sequence[ChainedModel], *, using: str = "default") -> None:
    """Fill ``prev_hash`` and ``hash`` of unsaved rows, in order, after their chains' last rows. Call in the
    transaction that inserts them (the lock is held to its end)."""
    if not objs:
        return
    # two statements, not one: a statement's snapshot is taken when it starts, so a head read in the same
    # statement as the lock would be from before the wait and miss the row the lock's last holder committed
    lock((o.district_code for o in objs), using=using)
    heads: dict[str, str] = {}
    for obj in objs:
        obj.fill_chain()
        code = obj.district_code
        if code not in heads:
            heads[code] = head(model, code, using=using)
        obj.prev_hash = heads[code]
        obj.hash = heads[code] = digest(obj.chain_values(), obj.prev_hash)


# --- verifying -----------------------------------------------------------------------------------------


@dataclass
class Broken:
    pk: Any
    at: Any
    problem: str


@dataclass
class ChainReport:
    table: str
    district_code: str
    rows: int = 0
    head: str = GENESIS
    head_pk: Any = None
    broken: Broken | None = None
    extra: dict = field(default_factory=dict)


def verify(model: type[ChainedModel], *, using: str = "default", chunk_size: int = 5000,
           district_code: str | None = None) -> Iterator[ChainReport]:
    """Walk every chain of ``model`` (or only one district's) in primary-key order; one report per district
    chain with the first broken link, if any. Streams: memory does not grow with the table."""
    names = list(model.chain_fields)
    refs = list(model.chain_refs.items())  # (live column, hashed copy)
    columns = ["pk", "prev_hash", "hash", *names, *(live for live, _ in refs)]
    rows = model._default_manager.using(using).order_by("district_code", "pk")
    if district_code is not None:
        rows = rows.filter(district_code=district_code)
    rows = rows.values_list(*columns).iterator(chunk_size=chunk_size)
    report: ChainReport | None = None
    before_stored = GENESIS  # the hash of the row before this one (checked)
    before_prev = GENESIS  # that row's prev_hash
    before_pk = before_at = None
    code_at = names.index("district_code") + 3
    at_at = names.index("at") + 3 if "at" in names else None
    label = model._meta.db_table
    for row in rows:
        code = row[code_at]
        if report is None or code != report.district_code:
            if report is not None:
                yield report
            report = ChainReport(label, code)
            before_stored = before_prev = GENESIS
        report.rows += 1
        pk, prev_hash, stored = row[0], row[1], row[2]
        report.head, report.head_pk = stored, pk
        if report.broken is not None:
            continue
        values = dict(zip(names, row[3:3 + len(names)], strict=True))
        at = row[at_at] if at_at is not None else None
        if prev_hash != before_stored:
            if report.rows > 1 and prev_hash == before_prev:
                # the row before this one was slipped in between two chained rows: name it
                report.broken = Broken(before_pk, before_at, "inserted")
                continue
            # "start": the chain's first rows are gone; "link": rows before this one were deleted, or the one
            # before was rewritten and re-hashed
            problem = "start" if report.rows == 1 else "link"
            report.broken = Broken(pk, at, problem)
            continue
        recomputed = digest(values, prev_hash)
        live = row[3 + len(names):]
        if recomputed != stored or any(v is not None and v != values[ref] for v, (_, ref) in zip(live, refs, strict=True)):
            report.broken = Broken(pk, at, "edited")
            continue
        before_prev, before_stored, before_pk, before_at = prev_hash, stored, pk, at
    if report is not None:
        yield report


def seal_table(model, chain_fields: Sequence[str], chain_refs: dict[str, str], *, using: str = "default",
               batch: int = 2000) -> int:
    """Chain the rows a table already holds, in primary-key order (a migration's RunPython; ``model`` may be
    the historical one, so the fields are given). Returns the number of rows sealed."""
    manager = model._default_manager.using(using)
    for live, ref in chain_refs.items():
        manager.update(**{ref: models.F(live)})
    heads: dict[str, str] = {}
    last, done = None, 0
    while True:
        page = manager.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:batch])
        if not rows:
            return done
        for obj in rows:
            prev = heads.get(obj.district_code, GENESIS)
            obj.prev_hash = prev
            obj.hash = heads[obj.district_code] = digest({n: getattr(obj, n) for n in chain_fields}, prev)
        manager.bulk_update(rows, ["prev_hash", "hash"])
        last, done = rows[-1].pk, done + len(rows)
