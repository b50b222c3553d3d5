"""A monthly report's two files from one ``Content``: a workbook of several sheets
(``registers.xlsx.sheets_bytes``) and a printable PDF (``core.pdf.Document`` with the charts of
``charts.py``). Rates are shown in percent, the composite score out of 100 (docs/kpi.md)."""

from __future__ import annotations

from django.utils import timezone

from grassroots.areas.models import Level
from grassroots.core.pdf import Document
from grassroots.registers.xlsx import Sheet, sheets_bytes

from . import charts
from .content import Content, RankRow, level_name
from .months import month_label

RECEIVED = (41, 98, 255)
CLOSED = (39, 174, 96)
OVERDUE = (192, 57, 43)


def pct(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value * 100, digits)


def pct_text(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def score(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def score_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}"


def change_text(value: float | None, digits: int = 2) -> str:
    """+1.25 / -0.40 / 持平: a change of a score (or, with ``digits=1``, of a rate) in points of 100."""
    if value is None:
        return "—"
    v = round(value * 100, digits)
    return "持平" if v == 0 else f"{v:+.{digits}f}"


def rank_change_text(row: RankRow) -> str:
    change = row.rank_change
    if change is None:
        return "—" if row.before is None or row.before.rank is None else ""
    if change == 0:
        return "持平"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def hours_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 小时"


# (label, the figure of a Kpi, as shown, as a number in the .xlsx, the decimals of a change in points
# of 100 — False for a count or hours)
KPI_LINES = [
    ("受理诉求（件）", lambda k: k.received, str, lambda v: v, False),
    ("计入考核（件）", lambda k: k.counted, str, lambda v: v, False),
    ("响应率", lambda k: k.response_rate, pct_text, pct, 1),
    ("解决率", lambda k: k.resolution_rate, pct_text, pct, 1),
    ("满意率", lambda k: k.satisfaction_rate, pct_text, pct, 1),
    ("按时办结率", lambda k: k.on_time_rate, pct_text, pct, 1),
    ("超期（件）", lambda k: k.overdue, str, lambda v: v, False),
    ("重复诉求率", lambda k: k.reopen_rate, pct_text, pct, 1),
    ("答复用时中位数", lambda k: k.median_reply_hours, hours_text, lambda v: None if v is None else round(v, 1), False),
    ("综合得分", lambda k: k.composite, score_text, score, 2),
]


def _kpi_change(now, before, kind) -> str:
    if now is None or before is None:
        return "—"
    if kind:  # a rate (1 decimal) or the score (2)
        return change_text(now - before, kind)
    diff = round(now - before, 1)
    return "持平" if diff == 0 else (f"+{diff:g}" if diff > 0 else f"{diff:g}")


def kpi_lines(c: Content) -> list[tuple[str, str, str, str]]:
    out = []
    for label, get, shown, _number, digits in KPI_LINES:
        now, before = get(c.totals), get(c.previous_totals)
        out.append((label, shown(now), shown(before), _kpi_change(now, before, digits)))
    return out


def headline(c: Content) -> str:
    """The report's first sentence."""
    t, b = c.totals, c.previous_totals
    text = f"{month_label(c.month)}，{c.area.name}共受理群众诉求 {t.received} 件"
    if b.received:
        diff = t.received - b.received
        text += f"（上月 {b.received} 件，{'增加' if diff > 0 else '减少'} {abs(diff)} 件）" if diff else "（与上月持平）"
    text += f"，解决率 {pct_text(t.resolution_rate)}，满意率 {pct_text(t.satisfaction_rate)}，超期 {t.overdue} 件"
    if t.composite is not None:
        text += f"，综合得分 {score_text(t.composite)}"
        if b.composite is not None:
            text += f"（较上月 {change_text(t.composite - b.composite)}）"
    if c.standing and c.standing[0]:
        rank, before, count = c.standing
        text += f"，在全区 {count} 个街道中排第 {rank} 名"
        if before:
            text += "，与上月持平" if before == rank else f"（上月第 {before} 名）"
    return text + "。"


def _rank_cells(row: RankRow) -> list:
    k = row.now
    return [k.rank if k.rank is not None else "—", k.name, k.received, pct_text(k.resolution_rate),
            pct_text(k.satisfaction_rate), k.overdue, score_text(k.composite),
            "—" if row.before is None or row.before.rank is None else row.before.rank,
            rank_change_text(row), change_text(row.composite_change)]


RANK_HEADERS = ["名次", "名称", "受理", "解决率", "满意率", "超期", "综合得分", "上月名次", "名次变化", "得分变化"]
RANK_WIDTHS = [1.1, 4.2, 1.1, 1.5, 1.5, 1.1, 1.6, 1.5, 1.5, 1.5]


# --- the workbook ---------------------------------------------------------------------------------------


def _rank_xlsx(row: RankRow) -> list:
    k, b = row.now, row.before
    return [k.rank, k.name, k.received, k.counted, pct(k.response_rate), pct(k.resolution_rate),
            pct(k.satisfaction_rate), pct(k.on_time_rate), k.overdue, score(k.composite),
            b.rank if b else None, score(b.composite) if b else None, row.rank_change,
            None if row.composite_change is None else round(row.composite_change * 100, 2)]


RANK_XLSX_HEADERS = ["名次", "名称", "受理", "计入考核", "响应率（%）", "解决率（%）", "满意率（%）", "按时办结率（%）",
                     "超期", "综合得分", "上月名次", "上月综合得分", "名次变化（上升为正）", "得分变化"]
RANK_XLSX_WIDTHS = [6, 24, 8, 10, 11, 11, 11, 14, 8, 10, 10, 12, 18, 10]


def xlsx_bytes(c: Content) -> bytes:
    sheets = [Sheet("主要指标", ["指标", f"本月（{month_label(c.month)}）", f"上月（{month_label(c.previous_month)}）",
                              "变化"],
                    [[label, number(get(c.totals)), number(get(c.previous_totals)), _kpi_change(
                        get(c.totals), get(c.previous_totals), digits)]
                     for label, get, _shown, number, digits in KPI_LINES], widths=[18, 16, 16, 10])]
    sheets.append(Sheet("每日诉求", ["日期", "受理", "办结", "超期"],
                        [[d.day, d.received, d.closed, d.overdue] for d in c.days], widths=[12, 8, 8, 8]))
    for ranked in [*c.rankings, c.units]:
        headers = RANK_XLSX_HEADERS if ranked.level else ["名次", "单位", *RANK_XLSX_HEADERS[2:]]
        sheets.append(Sheet(ranked.title, headers, [_rank_xlsx(r) for r in ranked.rows], widths=RANK_XLSX_WIDTHS))
    sheets.append(Sheet("每月一题", ["街道", "题目", "牵头单位", "完成时限", "状态", "关联诉求", "涉及群众"],
                        [[p.street, p.title, p.lead_unit, p.deadline, p.status, p.cases, p.residents]
                         for p in c.problems], widths=[14, 36, 20, 12, 10, 10, 10]))
    sheets.append(Sheet("上升问题", ["区域", "类别", "所在周（周一）", "当周件数", "此前周均", "异常分"],
                        [[r.place, r.category, r.week, r.count, round(r.baseline, 2), round(r.score, 1)]
                         for r in c.rising], widths=[18, 28, 14, 10, 10, 10]))
    sheets.append(Sheet("多发问题", ["问题", "类别", "诉求件数", "涉及网格", "涉及群众", "网格"],
                        [[r.title, r.category, r.cases, r.grids, r.residents, r.places] for r in c.clusters],
                        widths=[36, 24, 10, 10, 10, 40]))
    sheets.append(Sheet("为民办实事", ["来源", "街道", "社区", "事项", "责任方", "完成时限", "进度（%）", "状态",
                                  "本月办结", "逾期", "最新进展"],
                        [[p.kind, p.street, p.community, p.title, p.owner, p.deadline, p.progress, p.status,
                          "是" if p.done_in_month else "", "是" if p.late else "", p.latest] for p in c.practical],
                        widths=[10, 14, 16, 32, 18, 12, 10, 8, 10, 6, 40]))
    sheets.append(Sheet("说明", ["项目", "说明"], notes(c), widths=[16, 100]))
    return sheets_bytes(sheets)


def notes(c: Content) -> list[list[str]]:
    return [
        ["报告", c.title],
        ["统计周期", f"{c.period.label}（上月 {c.previous.label}），按诉求受理时间（北京时间）计"],
        ["生成时间", f"{timezone.localtime(c.generated_at):%Y-%m-%d %H:%M}；诉求的办理状态以生成时为准"],
        ["考核指标", "响应率、解决率、满意率、按时办结率、综合得分的定义见项目文档 docs/kpi.md；比率以百分数表示，综合得分满分 100；"
                 "不予受理和已合并的诉求不计入分母"],
        ["每日诉求", "受理：当天受理的诉求；办结：当天办结的诉求；超期：办理时限在当天、到期未答复（或答复晚于时限）的诉求"],
        ["上升问题", "本月各周（以周一计）件数显著高于此前8周的类别与区域，取本月最高的一周"],
        ["多发问题", "截至本月最后一个周一的4周内，多个网格反映的相似诉求"],
        ["为民办实事", "本月内处于推进中或在本月办结的为民办实事（议事决议与共建项目），进度为生成时的进度"],
    ]


# --- the PDF --------------------------------------------------------------------------------------------


def _section(doc: Document, text: str) -> None:
    if doc.pdf.will_page_break(40):  # a heading is not left alone at the foot of a page
        doc.new_page()
    doc.heading(text)


def _text(doc: Document, text: str, *, size: int = 10) -> None:
    """A paragraph set flush left: the numbers keep their spaces and a line never breaks inside one
    (``Document.paragraph`` justifies, which stretches those spaces)."""
    doc.pdf.set_font("cjk", size=size)
    doc.pdf.multi_cell(0, 6 if size >= 10 else 5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.pdf.ln(1)


def _caption(doc: Document, text: str) -> None:
    """The line above a table, kept with the table's first rows."""
    if doc.pdf.will_page_break(25):
        doc.new_page()
    _text(doc, text)


def practical_by_street(rows) -> list[list]:
    by: dict[str, list] = {}
    for p in rows:
        by.setdefault(p.street or "（未定位街道）", []).append(p)
    return [[name, len(items), sum(p.done_in_month for p in items), sum(p.late for p in items),
             f"{sum(p.progress for p in items) / len(items):.0f}%"] for name, items in by.items()]


def pdf_bytes(c: Content) -> bytes:
    generated = timezone.localtime(c.generated_at)
    doc = Document(title=c.title, subtitle=f"统计周期：{c.period.label}　·　生成时间：{generated:%Y-%m-%d %H:%M}")
    _section(doc, "一、总体情况")
    _text(doc, headline(c))
    doc.table(["指标", "本月", "上月", "变化"], kpi_lines(c), widths=[3, 2, 2, 2])
    charts.line_chart(doc, title="每日诉求受理、办结与超期（件）",
                      labels=[str(d.day.day) for d in c.days],
                      series=[("受理", [d.received for d in c.days], RECEIVED),
                              ("办结", [d.closed for d in c.days], CLOSED),
                              ("超期", [d.overdue for d in c.days], OVERDUE)])
    _section(doc, "二、考核排名")
    for i, ranked in enumerate(c.rankings):
        if i == 0 or len(ranked.rows) <= 20:
            charts.bar_chart(doc, title=f"各{level_name(ranked.level, c.area.rural)}综合得分（满分100）",
                             items=[(r.now.name, score(r.now.composite)) for r in ranked.rows])
        _caption(doc, f"{ranked.title}（按本月综合得分）")
        doc.table(RANK_HEADERS, [_rank_cells(r) for r in ranked.rows], widths=RANK_WIDTHS, size=8)
    _caption(doc, "承办单位排名（本区域内诉求，按承办单位）")
    if c.units.rows:
        doc.table(["名次", "单位", *RANK_HEADERS[2:]], [_rank_cells(r) for r in c.units.rows], widths=RANK_WIDTHS,
                  size=8)
    else:
        _text(doc, "本月没有已派单到承办单位的诉求。", size=9)
    _section(doc, "三、本月问题")
    _caption(doc, f"每月一题（{len(c.problems)}项）")
    if c.problems:
        doc.table(["街道", "题目", "牵头单位", "完成时限", "状态", "诉求"],
                  [[p.street, p.title, p.lead_unit, p.deadline, p.status, p.cases] for p in c.problems],
                  widths=[2.2, 5, 3, 2, 1.5, 1.1], size=8)
    else:
        _text(doc, "本月没有立项的每月一题。", size=9)
    _caption(doc, f"上升问题（{len(c.rising)}项，件数显著高于此前8周）")
    if c.rising:
        doc.table(["区域", "类别", "所在周", "当周件数", "此前周均"],
                  [[r.place, r.category, f"{r.week:%m-%d}起", r.count, f"{r.baseline:.1f}"] for r in c.rising],
                  widths=[3, 5, 1.6, 1.5, 1.5], size=8)
    else:
        _text(doc, "本月没有明显上升的问题。", size=9)
    _caption(doc, f"多发问题（{len(c.clusters)}项，多个网格反映的相似诉求）")
    if c.clusters:
        doc.table(["问题", "类别", "件数", "群众", "网格"],
                  [[r.title, r.category, r.cases, r.residents, r.places] for r in c.clusters],
                  widths=[4.5, 3.2, 1, 1, 4], size=8)
    else:
        _text(doc, "没有多个网格反映的相似问题。", size=9)
    _section(doc, "四、为民办实事")
    done = sum(1 for p in c.practical if p.done_in_month)
    late = sum(1 for p in c.practical if p.late)
    _text(doc, f"本月在办和办结的为民办实事共 {len(c.practical)} 项，其中本月办结 {done} 项，已逾期 {late} 项。")
    shown = c.practical
    if c.area.level == Level.DISTRICT and c.practical:  # the district: by street, then what was done
        _caption(doc, "各街道为民办实事")
        doc.table(["街道", "在办和办结", "本月办结", "已逾期", "平均进度"], practical_by_street(c.practical),
                  widths=[3, 2, 2, 2, 2], size=8)
        shown = [p for p in c.practical if p.done_in_month]
        _caption(doc, f"本月办结的为民办实事（{len(shown)}项；完整清单见Excel）")
    if shown:
        doc.table(["社区", "事项", "责任方", "完成时限", "进度", "状态"],
                  [[p.community, p.title, p.owner, p.deadline, f"{p.progress}%",
                    p.status + ("（逾期）" if p.late else "") + ("（本月办结）" if p.done_in_month else "")]
                   for p in shown], widths=[2.2, 4.4, 2.8, 1.9, 1.1, 3.2], size=8)
    doc.heading("口径说明")
    for name, text in notes(c)[3:]:
        _text(doc, f"{name}：{text}", size=8)
    return doc.bytes()
