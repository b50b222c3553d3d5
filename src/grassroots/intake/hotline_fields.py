"""The fields of a hotline work order, how a file's headers are matched to them, and how one row
becomes a clean record or a list of Chinese errors naming the row, the column and the fix.

Cleaning needs no database except the category look-up, loaded once per import (``Categories``);
placing the row (``placement.Gazetteer``) and checking scope and duplicates are done by the job.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.cases.models import Category
from grassroots.cases.services import ADDRESS_MAX, BODY_MAX, CONTACT_NAME_MAX, TITLE_MAX
from grassroots.core.i18n import source_text
from grassroots.registers.cells import CellProblem, choice, phone, text
from grassroots.registers.specs.base import CellError
from grassroots.worktime.calendar import CalendarMissing, add_working_days
from grassroots.worktime.models import Urgency
from grassroots.worktime.selectors import overrides_load

TITLE_FROM_BODY = 30
EXTERNAL_ID_MAX = 64


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise  # shown in the page's language; messages about data use the Chinese
    required: bool = False
    synonyms: tuple[str, ...] = ()
    hint: str | Promise = ""

    @property
    def name(self) -> str:
        return source_text(self.label)


FIELDS: tuple[Field, ...] = (
    Field("external_id", _("工单编号"), True,
          ("工单编号", "工单号", "编号", "受理编号", "工单id", "诉求编号", "流水号", "案件编号", "来电编号", "单号"),
          _("热线系统自己的编号；同一编号再次导入不会重复建单")),
    Field("title", _("标题"), False, ("标题", "主题", "诉求标题", "工单标题", "事项标题", "留言标题"),
          _("为空时取诉求内容的开头")),
    Field("body", _("诉求内容"), False,
          ("诉求内容", "内容", "来电内容", "问题描述", "诉求描述", "反映内容", "工单内容", "事项内容", "留言内容",
           "留言详情", "详细内容", "诉求详情"), _("为空时用标题")),
    Field("reported_at", _("来电/受理时间"), False,
          ("来电时间", "受理时间", "登记时间", "创建时间", "派单时间", "留言时间", "提交时间", "反映时间", "来件时间")),
    Field("contact_name", _("联系人"), False,
          ("联系人", "来电人", "反映人", "诉求人", "姓名", "来电人姓名", "市民姓名", "留言用户", "来电人员")),
    Field("contact_phone", _("联系电话"), False,
          ("联系电话", "来电号码", "电话", "手机号", "手机号码", "联系方式", "来电电话", "手机", "电话号码")),
    Field("address", _("地址"), False,
          ("地址", "事发地址", "发生地址", "诉求地址", "详细地址", "事发地点", "地点", "问题地址", "发生地点")),
    Field("lng", _("经度"), False, ("经度", "lng", "lon", "longitude", "x坐标")),
    Field("lat", _("纬度"), False, ("纬度", "lat", "latitude", "y坐标")),
    Field("area", _("区域编码或名称"), False,
          ("区域", "区域编码", "所属区域", "所属网格", "网格", "社区", "所属社区", "街道", "所属街道", "区域名称",
           "网格编码", "社区名称"), _("街道、社区或网格的编码或名称")),
    Field("category", _("类别"), False,
          ("类别", "诉求类别", "问题分类", "事项类别", "工单类型", "分类", "诉求分类", "问题类型", "业务类别",
           "诉求类型", "事项分类", "一级分类"), _("平台事项类别的编码或名称；对不上时不设类别")),
    Field("urgency", _("紧急程度"), False, ("紧急程度", "紧急度", "缓急程度", "缓急", "优先级", "紧急"),
          _("紧急、水电气热、一般、复杂；为空按一般")),
    Field("due", _("办理时限"), False,
          ("办理时限", "处理时限", "截止时间", "办结时限", "时限", "要求办结时间", "答复时限", "办理期限")),
    Field("likes", _("点赞数"), False, ("点赞数", "点赞", "赞", "点赞量", "赞同数", "支持数", "附议数", "附议", "likes"),
          _("留言板等渠道上其他居民的点赞/附议数；热点问题按涉及群众排序时计入")),
    Field("dislikes", _("点踩数"), False, ("点踩数", "点踩", "踩", "反对数", "dislikes")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}

URGENCY_LABELS = {
    **{source_text(label): value for value, label in Urgency.choices},
    **{value: value for value in Urgency.values},
    "特急": Urgency.EMERGENCY, "加急": Urgency.EMERGENCY, "急": Urgency.EMERGENCY, "非常紧急": Urgency.EMERGENCY,
    "紧急件": Urgency.EMERGENCY, "水电气": Urgency.UTILITY, "公用事业": Urgency.UTILITY, "普通": Urgency.GENERAL,
    "正常": Urgency.GENERAL, "常规": Urgency.GENERAL, "一般件": Urgency.GENERAL, "疑难": Urgency.COMPLEX,
    "较复杂": Urgency.COMPLEX, "疑难复杂": Urgency.COMPLEX,
}


def _key(header: str) -> str:
    return unicodedata.normalize("NFKC", header).lower().replace(" ", "")


def guess_mapping(headers: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """field key → header: the saved mapping where its header is in this file, then exact synonyms,
    then the longest synonym contained in a header. One header serves one field."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for key, header in (saved or {}).items():
        if key in FIELD_BY_KEY and header in headers and header not in used:
            mapping[key] = header
            used.add(header)
    keyed = {h: _key(h) for h in headers}
    for f in FIELDS:
        if f.key in mapping:
            continue
        hit = next((h for h in headers if h not in used and keyed[h] in f.synonyms), None)
        if hit:
            mapping[f.key] = hit
            used.add(hit)
    pairs = sorted(((len(s), f.key, s) for f in FIELDS for s in f.synonyms if len(s) >= 2), reverse=True)
    for _size, key, synonym in pairs:
        if key in mapping:
            continue
        hit = next((h for h in headers if h not in used and synonym in keyed[h]), None)
        if hit:
            mapping[key] = hit
            used.add(hit)
    return {f.key: mapping[f.key] for f in FIELDS if f.key in mapping}


def mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[str]:
    """What is wrong with a mapping the user chose (empty when it can be used)."""
    problems = []
    for key, header in mapping.items():
        if key not in FIELD_BY_KEY:
            problems.append(f"未知的字段“{key}”")
        elif header not in headers:
            problems.append(f"「{FIELD_BY_KEY[key].name}」选择的列“{header}”不在文件中")
    for f in FIELDS:
        if f.required and not mapping.get(f.key):
            problems.append(f"请为「{f.name}」选择文件中的一列（必填）")
    if not (mapping.get("title") or mapping.get("body")):
        problems.append("请为「诉求内容」或「标题」至少选择一列")
    if bool(mapping.get("lat")) != bool(mapping.get("lng")):
        problems.append("「经度」和「纬度」要同时选择（只选了一个）")
    taken: dict[str, str] = {}
    for key, header in mapping.items():
        if header in taken and key in FIELD_BY_KEY:
            problems.append(f"列“{header}”同时对应了「{FIELD_BY_KEY[taken[header]].name}」和"
                            f"「{FIELD_BY_KEY[key].name}」，一列只能对应一个字段")
        taken.setdefault(header, key)
    return problems


# --- categories -------------------------------------------------------------------------------


class Categories:
    """Category look-up by code, name, or path ("城乡建设/物业服务"), loaded once per import."""

    def __init__(self) -> None:
        self.by_code: dict[str, Category] = {}
        self.by_name: dict[str, list[Category]] = {}
        self.paths: dict[str, Category] = {}
        rows = list(Category.objects.select_related("parent").order_by("code"))
        names = {c.pk: c.name for c in rows}
        parents = {c.pk: c.parent_id for c in rows}
        for cat in rows:
            self.by_code[cat.code] = cat
            self.by_name.setdefault(_norm(cat.name), []).append(cat)
            path, node = [], cat.pk
            while node is not None:
                path.append(_norm(names[node]))
                node = parents[node]
            self.paths["".join(reversed(path))] = cat
        self._cache: dict[str, tuple[Category | None, str]] = {}

    def find(self, value: Any) -> tuple[Category | None, str]:
        """(category, "") or (None, why not)."""
        raw = _norm(text(value))
        if not raw:
            return None, ""
        if raw not in self._cache:
            self._cache[raw] = self._find(raw)
        return self._cache[raw]

    def _find(self, raw: str) -> tuple[Category | None, str]:
        if raw in self.by_code:
            return self.by_code[raw], ""
        joined = re.sub(r"[/>＞\-－—|、,，]+", "", raw)
        if joined in self.paths:
            return self.paths[joined], ""
        parts = [p for p in re.split(r"[/>＞\-－—|、,，]+", raw) if p]
        for part in reversed(parts):
            hits = self.by_name.get(part, [])
            if len(hits) == 1:
                return hits[0], ""
            if len(hits) > 1:
                deeper = [c for c in hits if any(_norm(n) in parts for n in c.path_names()[:-1])]
                if len(deeper) == 1:
                    return deeper[0], ""
        return None, f"类别“{raw}”与平台的事项类别对不上，已导入为未分类，请受理时补选类别"


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip()


# --- one row ----------------------------------------------------------------------------------


@dataclass
class Record:
    row: int
    external_id: str = ""
    title: str = ""
    body: str = ""
    reported_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    lat: Any = None
    lng: Any = None
    area_text: Any = None
    category: Category | None = None
    urgency: str = Urgency.GENERAL
    likes: int | None = None  # None: the file has no such column or the cell is empty
    dislikes: int | None = None
    errors: list[CellError] = field(default_factory=list)
    notes: list[CellError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field key → the file's header

    def error(self, key: str, raw: Any, problem: str) -> None:
        self.errors.append(CellError.at(self.row, self.headers[key], _masked(key, raw), problem))

    def note(self, key: str, raw: Any, problem: str) -> None:
        self.notes.append(CellError.at(self.row, self.headers.get(key, ""), _masked(key, raw), problem))


def _masked(key: str, raw: Any) -> Any:
    if key == "contact_phone":
        value = re.sub(r"\D", "", text(raw))
        return value[:3] + "****" + value[-4:] if len(value) >= 10 else raw
    return raw


_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                     "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
                     "%Y年%m月%d日%H时%M分", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d",
                     "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(个)?(小时|天|日|个?工作日)$")


def parse_datetime(value: Any) -> datetime.datetime:
    """An aware datetime from a cell (Excel date, or text in the usual Chinese spellings)."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        raw = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text(value))).strip()
        for fmt in _DATETIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        else:
            raise CellProblem("时间格式不对，请填写如 2026-05-08 09:30 的日期时间")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


COUNT_MAX = 10_000_000


def count(value: Any) -> int:
    """A non-negative whole number from a cell: 12, 12.0, "1,234", "12 赞"."""
    if isinstance(value, bool):
        raise CellProblem("应填写不小于0的整数，如 12")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellProblem("应填写整数，如 12")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        raw = unicodedata.normalize("NFKC", text(value)).replace(",", "").replace(" ", "")
        raw = re.sub(r"(个|次|人|赞|票)$", "", raw)
        if not raw.isdigit():
            raise CellProblem("应填写不小于0的整数，如 12")
        number = int(raw)
    if number < 0 or number > COUNT_MAX:
        raise CellProblem(f"应在 0 到 {COUNT_MAX} 之间")
    return number


def parse_due(value: Any, start: datetime.datetime) -> tuple[datetime.datetime | None, str]:
    """(deadline, note): a date and time, or a duration after ``start`` (24小时, 3天, 5个工作日)."""
    raw = unicodedata.normalize("NFKC", text(value)).replace(" ", "")
    match = _DURATION.match(raw)
    if not match:
        try:
            return parse_datetime(value), ""
        except CellProblem:
            raise CellProblem("办理时限格式不对，请填写截止时间（如 2026-05-15 18:00）或时长"
                              "（如 24小时、3天、5个工作日）") from None
    amount, unit = float(match[1]), match[3]
    if unit == "小时":
        return start + datetime.timedelta(hours=amount), ""
    if unit in ("天", "日"):
        return start + datetime.timedelta(days=amount), ""
    try:
        return add_working_days(start, int(amount), overrides_load()), ""
    except CalendarMissing as exc:
        return None, f"无法按工作日推算办理时限：{exc}"


def clean_row(row: int, cells: dict[str, Any], headers: dict[str, str], categories: Categories,
              now: datetime.datetime) -> Record:
    """Every cell of one row cleaned; problems go to ``record.errors`` (blocking) or ``notes``."""
    rec = Record(row=row, headers=headers)
    raw_id = cells.get("external_id")
    if isinstance(raw_id, float) and (not raw_id.is_integer() or abs(raw_id) >= 1e15):
        rec.error("external_id", raw_id, "工单编号被存成了数字，后几位可能已丢失；请把该列设为「文本」后重新导出")
    else:
        rec.external_id = unicodedata.normalize("NFKC", text(raw_id)).strip()
        if not rec.external_id:
            rec.error("external_id", "", "工单编号不能为空（热线系统的工单编号，用于防止重复导入）")
        elif len(rec.external_id) > EXTERNAL_ID_MAX:
            rec.error("external_id", raw_id, f"工单编号不能超过{EXTERNAL_ID_MAX}个字符")
    _texts(rec, cells)
    for key in ("reported_at",):
        if text(cells.get(key)):
            try:
                rec.reported_at = parse_datetime(cells.get(key))
                if rec.reported_at > now + datetime.timedelta(days=1):
                    rec.error(key, cells.get(key), "来电时间晚于今天，请核对年份和月份")
                    rec.reported_at = None
            except CellProblem as exc:
                rec.error(key, cells.get(key), str(exc))
    if text(cells.get("due")):
        try:
            rec.due_at, why = parse_due(cells.get("due"), rec.reported_at or now)
            if why:
                rec.note("due", cells.get("due"), why)
        except CellProblem as exc:
            rec.error("due", cells.get("due"), str(exc))
    _contact(rec, cells)
    rec.lat, rec.lng, rec.area_text = cells.get("lat"), cells.get("lng"), cells.get("area")
    if text(cells.get("category")):
        rec.category, why = categories.find(cells.get("category"))
        if why:
            rec.note("category", cells.get("category"), why)
    for key in ("likes", "dislikes"):
        if text(cells.get(key)):
            try:
                setattr(rec, key, count(cells.get(key)))
            except CellProblem as exc:
                rec.error(key, cells.get(key), str(exc))
    if text(cells.get("urgency")):
        try:
            rec.urgency = choice(cells.get("urgency"), labels=URGENCY_LABELS, what="紧急程度")
        except CellProblem as exc:
            rec.error("urgency", cells.get("urgency"), str(exc))
    return rec


def _texts(rec: Record, cells: dict[str, Any]) -> None:
    title = text(cells.get("title")).replace("\r\n", "\n")
    body = text(cells.get("body")).replace("\r\n", "\n")
    if not title and not body:
        key = "body" if "body" in rec.headers else "title"
        rec.error(key, "", "诉求内容和标题不能都为空，请填写市民反映的问题")
        return
    if len(body) > BODY_MAX:
        rec.error("body", body, f"诉求内容最多{BODY_MAX}字（现有{len(body)}字），请删减或拆成两条工单")
    if len(title) > TITLE_MAX:
        rec.error("title", title, f"标题最多{TITLE_MAX}字（现有{len(title)}字），请删减")
    rec.body = body or title
    first_line = body.split("\n", 1)[0].strip()
    rec.title = title or (first_line[:TITLE_FROM_BODY] + ("…" if len(first_line) > TITLE_FROM_BODY else ""))
    address = text(cells.get("address"))
    if len(address) > ADDRESS_MAX:
        rec.error("address", address, f"地址最多{ADDRESS_MAX}字（现有{len(address)}字），请删减")
    rec.address = address[:ADDRESS_MAX]


def _contact(rec: Record, cells: dict[str, Any]) -> None:
    name = text(cells.get("contact_name"))
    if len(name) > CONTACT_NAME_MAX:
        rec.error("contact_name", name, f"联系人姓名最多{CONTACT_NAME_MAX}字")
    rec.contact_name = name
    raw_phone = cells.get("contact_phone")
    if not text(raw_phone):
        return
    if "*" in text(raw_phone):
        rec.note("contact_phone", raw_phone, "联系电话已被热线系统脱敏，无法用于回访，未保存")
        return
    try:
        rec.contact_phone = phone(raw_phone)
    except CellProblem as exc:
        rec.error("contact_phone", raw_phone, str(exc))

