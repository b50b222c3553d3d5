"""The command center's numbers as a workbook: one sheet per chart or list of the page."""

from __future__ import annotations

from grassroots.registers.xlsx import Sheet, sheets_bytes

KPI_HEADERS = ["上报", "计入考核", "未办结", "超时", "响应率", "解决率", "满意率", "按时办结率", "综合得分"]


def _kpis(row: dict) -> list:
    return [row["received"], row["counted"], row["open"], row["overdue"], row["response_rate"],
            row["resolution_rate"], row["satisfaction_rate"], row["on_time_rate"],
            None if row["composite"] is None else round(row["composite"] * 100, 2)]


def overview_xlsx(data: dict) -> bytes:
    """Rates are fractions (Excel shows them with a percent format if the reader wants)."""
    area, period = data["area"], data["period"]
    sheets = [
        Sheet("本级", ["区域", "统计期", *KPI_HEADERS], [[area["name"], period["label"], *_kpis(data["totals"])]],
              widths=[18, 26]),
        Sheet("网格", ["网格编码", "网格", "社区", *KPI_HEADERS],
              [[g["code"], g["name"], g["community"], *_kpis(g)] for g in data["grids"]], widths=[18, 16, 16]),
        Sheet(f"{data['children']['level'].split('/')[0] or '下级'}排名", ["排名", "编码", "名称", "上报", "超时", "综合得分", "较上期名次变化"],
              [[r["rank"], r["code"], r["name"], r["received"], r["overdue"],
                None if r["composite"] is None else round(r["composite"] * 100, 2), r["rank_change"]]
               for r in data["children"]["rows"]], widths=[6, 18, 18]),
        Sheet("按周趋势", ["受理周（周一）", *KPI_HEADERS],
              [[w["week"], *_kpis(w)] for w in data["trend"]], widths=[14]),
        Sheet("主要类别", ["类别", "件数"], [[c["name"], c["cases"]] for c in data["categories"]], widths=[24]),
        Sheet("超时督办", ["编号", "标题", "位置", "状态", "时限", "督办"],
              [[a["code"], a["title"], a["place"], a["status"], a["deadline"], "是" if a["supervised"] else ""]
               for a in data["alerts"]], widths=[24, 30, 16]),
        Sheet("上升问题", ["区域", "类别", "本周件数", "上升得分"],
              [[h["place"], h["category"], h["cases"], h["score"]] for h in data["hot"]["rising"]], widths=[18, 24]),
        Sheet("每月一题", ["题目", "街道", "月份", "牵头单位", "状态", "完成时限"],
              [[m["title"], m["street"], m["month"], m["lead"], m["status"], m["deadline"]]
               for m in data["hot"]["monthly"]], widths=[30, 14]),
        Sheet("力量", ["在岗党员", "党员服务时长（本月）", "志愿服务时长（本月）", "网格员"],
              [[data["people"]["members_on_post"], data["people"]["service_hours"],
                data["people"]["volunteer_hours"], data["people"]["grid_staff"]]]),
    ]
    return sheets_bytes(sheets)
