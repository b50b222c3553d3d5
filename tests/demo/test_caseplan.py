"""The year of demo cases as planned, without the database: texts, categories, seasons, determinism."""

import re
from collections import Counter
from datetime import date

import pytest

from grassroots.cases.taxonomy import category_code_by_path
from grassroots.demo import texts
from grassroots.demo.caseplan import CHANNELS, build_case_rows, pinned_rows
from grassroots.demo.generator import build_plan
from grassroots.demo.local_texts import local_templates

END = date(2026, 6, 30)
PLACES = dict(district="张湾区", city="十堰市", province="湖北省", street="汉江路街道", street2="车城路街道",
              community="阳光社区", community2="东风社区", estate="阳光栖谷小区", estate2="锦绣花园", building="3栋",
              road="汉江路", road2="人民路", road3="东岳路", reply_date="", phone="6213457", year="2026",
              handler="阳光社区")


@pytest.fixture(scope="module")
def plan():
    return build_plan("zhangwan", 5, people="light")


@pytest.fixture(scope="module")
def rows(plan):
    return build_case_rows(plan, 3000, END)


def test_same_seed_same_cases_other_seed_other_cases(plan, rows):
    again = build_case_rows(plan, 3000, END)
    key = lambda r: (r.at, r.grid, r.template.key, r.channel, r.fate, r.rating, r.pace)  # noqa: E731
    assert [key(r) for r in again] == [key(r) for r in rows]
    other = build_case_rows(build_plan("zhangwan", 6, people="light"), 3000, END)
    assert [key(r) for r in other][:50] != [key(r) for r in rows][:50]


def test_a_year_ending_on_the_end_date_in_order(rows):
    assert len(rows) == 3000
    assert [r.index for r in rows] == list(range(3000))
    assert all(a.at <= b.at for a, b in zip(rows, rows[1:], strict=False))
    days = {r.at.date() for r in rows}
    assert min(days) >= date(2025, 7, 1) and max(days) == END
    assert len({d.month for d in days}) == 12


def test_every_category_exists_in_the_taxonomy():
    known = set(category_code_by_path())
    paths = [p for _words, p in texts.RULES] + list(texts.FALLBACK.values())
    paths += [t.path for t in local_templates()] + [t.path for t in texts.real_templates()]
    assert [p for p in paths if p not in known] == []


def test_real_messages_become_templates_with_the_demo_places():
    templates = texts.real_templates()
    assert len(templates) > 380
    assert len(texts.real_reply_days()) == 120
    leftovers = re.compile(r"西地省|[A-Z]\d*市|[A-Z]\d+[区县]|\{[a-z_0-9-]+\}")
    for t in templates:
        for text in (t.title, t.body, t.reply):
            rendered = texts.render(text, PLACES)
            assert not leftovers.search(rendered), (t.key, rendered)
        assert len(t.body) <= texts.BODY_LIMIT and len(t.title) <= texts.TITLE_LIMIT
    rendered = " ".join(texts.render(t.title + t.body, PLACES) for t in templates)
    assert rendered.count("张湾区") > 100 and "十堰市" in rendered
    replies = [t for t in templates if t.reply]
    assert all(t.reply.startswith(("您好", "你好")) for t in replies)
    assert not any("答复如下" in texts.render(t.reply, PLACES)[:30] for t in replies)


def test_labels_pick_deeper_categories_by_keywords():
    assert texts.classify("小区暖气不热", "", "城乡建设")[-1] == "冬季采暖"
    assert texts.classify("物业乱收费", "", "城乡建设")[-1] == "物业服务"
    assert texts.classify("公司拖欠工资", "", "劳动和社会保障")[-1] == "工资发放"
    assert texts.classify("一个与众不同的问题", "", "卫生计生") == ("卫生计生", "其他", "其他")
    assert texts.urgency_for(("城乡建设", "城市建设和市政管理", "自来水供应"), "停水") == "utility"
    assert texts.urgency_for(("城乡建设",), "楼道里燃气泄漏") == "emergency"


def test_long_bodies_are_cut_at_a_sentence_end():
    long = "这是第一句话。" * 100
    short = texts.shorten(long, 50)
    assert len(short) <= 50 and short.endswith("。")
    assert texts.shorten("没有句号" * 30, 20).endswith("……")


def test_mix_of_channels_outcomes_and_urgencies(rows):
    channels = Counter(r.channel for r in rows)
    assert set(channels) == set(CHANNELS)
    assert channels["resident_web"] > channels["patrol"] > channels["open311"]
    fates = Counter(r.fate for r in rows)
    assert {"normal", "reject", "merge", "park", "whistle", "return", "extend"} <= set(fates)
    assert fates["normal"] > 0.7 * len(rows)
    ratings = Counter(r.rating for r in rows)
    assert ratings["satisfied"] > ratings["basic"] > ratings["unsatisfied"] > 0
    assert {"emergency", "utility", "general", "complex"} <= {r.urgency for r in rows}
    late = sum(r.pace > 1 for r in rows) / len(rows)
    assert 0.05 < late < 0.2
    merged = [r for r in rows if r.fate == "merge"]
    assert all(rows[r.merge_of].grid == r.grid and rows[r.merge_of].at <= r.at for r in merged)
    findings = [r for r in rows if r.channel in ("patrol", "woodpecker")]
    assert all(r.template.key.startswith("local:") for r in findings)
    assert sum(r.template.finding for r in findings) > 0.5 * len(findings)


def test_heating_in_winter_flooding_in_the_rainy_season(rows):
    def months(family):
        return Counter(r.at.month for r in rows if r.template.key.startswith(f"local:{family}-"))

    heat, flood = months("heat"), months("flood")
    assert sum(heat.values()) > 30 and sum(flood.values()) > 30
    assert set(heat) <= {11, 12, 1, 2, 3} and set(flood) <= {6, 7, 8, 9}
    assert heat[1] > heat[3] and flood[7] + flood[8] > flood[6] + flood[9]


def test_hot_spot_grids_stand_out(rows):
    flood = Counter(r.grid for r in rows if r.template.key.startswith("local:flood-"))
    top = flood.most_common(6)
    assert sum(n for _g, n in top) > 0.4 * sum(flood.values())


def test_pinned_rows_give_every_demo_account_work(plan):
    pinned = pinned_rows(plan, END)
    stops = Counter(r.stop for r in pinned)
    assert stops["report"] >= 5 and stops["dispatch"] >= 3 and stops["return"] >= 2
    assert any(r.who == "resident" and r.stop == "verify" for r in pinned)
    assert all(r.at.date() <= END for r in pinned)


def test_no_cases_asked_no_cases_planned(plan):
    assert build_case_rows(plan, 0, END) == []
