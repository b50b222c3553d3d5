"""Builds the labelled evaluation pairs (``data/pairs.jsonl``) from real messages. Pure Python,
deterministic (seeded); run it again with the same files and it writes the same pairs::

    python -m grassroots.duplicates.pairs_build ../shared/data/messages_with_replies_sample.jsonl \
        ../shared/data/messages_with_votes_sample.jsonl > src/grassroots/duplicates/data/pairs.jsonl

Each pair: ``a`` is a real message (title + body), ``b`` another report, ``distance_m`` and
``hours`` between them, ``label`` 1 (the same request) or 0, ``kind`` and ``made_by`` (how it was
made). Duplicates are what a second resident writes about the same matter: a hand-written
re-wording (``hand``), or rules — the title and first sentences only (``shorten``), sentences
reordered with another polite opening and closing (``reorder``), words swapped for synonyms
(``synonyms``), or all of these together (``mixed``). Near-misses: the same place with another real
problem grafted on (``same_place_other_problem``), the most similar other real message
(``nearest_other_matter``, the hardest for the scorer by construction), the same
words far away (``same_problem_far``), another building (``another_building``), and the same
problem reported again after the window (``same_problem_later``).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterable

from .hand_paraphrases import HAND

SEED = 20260501
OPENINGS = ["您好！", "尊敬的领导：您好！", "领导好，", "你好，我想反映一个问题：", "", "各位领导：", "麻烦问一下，"]
CLOSINGS = ["谢谢！", "希望尽快处理，谢谢。", "盼回复。", "", "望相关部门重视！", "辛苦了！"]
SYNONYMS = [("希望", "恳请"), ("尽快", "早日"), ("反映", "投诉"), ("噪音", "噪声"), ("业主", "住户"),
            ("问题", "情况"), ("严重", "非常"), ("影响", "干扰"), ("解决", "处理"), ("相关部门", "有关部门"),
            ("现在", "目前"), ("一直", "始终"), ("没有", "没"), ("非常", "特别"), ("居民", "住户"),
            ("马路", "道路"), ("安装", "装"), ("请问", "想问一下"), ("咨询", "询问"), ("很多", "不少"),
            ("每天", "天天"), ("晚上", "夜里"), ("附近", "周边"), ("管理", "监管"), ("政府", "有关单位")]
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
PLACE = re.compile(r"[\u4e00-\u9fa5A-Z0-9]{2,12}?(?:小区|花园|新村|社区|村|路|街|广场|公园|大道|苑|城|市场|学校|中学|小学)")
LABEL_KEYS = ("label", "category")
# Pairs of real messages that are the same request sent twice (found when building the set: the
# nearest other message of 360107 is 360108, the same text with "急需处理！" added).
REAL_REPEATS = {frozenset({"360107", "360108"})}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text or "") if s.strip()]


def whole(row: dict) -> str:
    return f"{row['title']}\n{row['body']}".strip()


def shorten(row: dict, rnd: random.Random) -> str:
    s = sentences(row["body"])
    return row["title"] + "。" + "".join(s[: rnd.randint(1, 2)])


def reorder(row: dict, rnd: random.Random) -> str:
    s = sentences(row["body"])
    if len(s) > 2:
        head, rest = s[:1], s[1:]
        rnd.shuffle(rest)
        s = rest[: max(1, len(rest) // 2)] + head + rest[max(1, len(rest) // 2):]
    return rnd.choice(OPENINGS) + "".join(s) + rnd.choice(CLOSINGS)


def synonyms(text: str, rnd: random.Random) -> str:
    for a, b in SYNONYMS:
        if a in text and rnd.random() < 0.8:
            text = text.replace(a, b)
    return text


def mixed(row: dict, rnd: random.Random) -> str:
    s = sentences(row["body"])
    keep = s[: max(1, min(3, len(s)))]
    rnd.shuffle(keep)
    return rnd.choice(OPENINGS) + synonyms("".join(keep), rnd) + rnd.choice(CLOSINGS)


RULES = {"shorten": shorten, "reorder": reorder, "synonyms": lambda r, rnd: synonyms(whole(r), rnd), "mixed": mixed}


def _pair(a: str, b: str, label: int, kind: str, made_by: str, source: Iterable[str], distance_m: float,
          hours: float) -> dict:
    return {"a": a, "b": b, "label": label, "kind": kind, "made_by": made_by, "source": list(source),
            "distance_m": round(distance_m, 1), "hours": round(hours, 1)}


def _near(rnd: random.Random) -> tuple[float, float]:
    return rnd.uniform(0, 200), rnd.uniform(0, 24 * 10)


def _nearest_same_category(row: dict, rows: list[dict], score) -> dict | None:
    label = next((row.get(k) for k in LABEL_KEYS if row.get(k)), None)
    pool = [r for r in rows if r is not row and (label is None or next(
        (r.get(k) for k in LABEL_KEYS if r.get(k)), None) == label)]
    if not pool:
        return None
    sims = score(whole(row), [whole(r) for r in pool])
    return pool[max(range(len(pool)), key=lambda i: sims[i])]


def build(rows: list[dict], score) -> list[dict]:
    """``score(query, texts)`` ranks other messages (the nearest other message is the near-miss)."""
    rnd = random.Random(SEED)
    out: list[dict] = []
    names = list(RULES)
    for i, row in enumerate(rows):
        a, src = whole(row), [row["id"]]
        # duplicates: the hand-written re-wording when there is one, and one or two by rule
        if row["id"] in HAND:
            out.append(_pair(a, HAND[row["id"]], 1, "duplicate", "hand", src, *_near(rnd)))
        for name in (names[i % 4], names[(i + 1) % 4]) if i % 2 == 0 else (names[i % 4],):
            out.append(_pair(a, RULES[name](row, rnd), 1, "duplicate", name, src, *_near(rnd)))
        # near-misses: the nearest other real message, and one more kind in turn
        other = _nearest_same_category(row, rows, score)
        if other is not None and frozenset({row["id"], other["id"]}) in REAL_REPEATS:
            if row["id"] < other["id"]:
                out.append(_pair(a, whole(other), 1, "duplicate", "real_repeat", src + [other["id"]], *_near(rnd)))
        elif other is not None:
            out.append(_pair(a, whole(other), 0, "nearest_other_matter", "the most similar other real message",
                             src + [other["id"]], *_near(rnd)))
        turn = i % 4
        if turn == 0:
            place = PLACE.search(row["title"] + row["body"])
            donor = rows[(i * 7 + 3) % len(rows)]
            if place and donor is not row:
                b = place.group(0) + "这边，" + "".join(sentences(donor["body"])[:3])
                out.append(_pair(a, b, 0, "same_place_other_problem", "place_of_a+problem_of_another",
                                 src + [donor["id"]], *_near(rnd)))
                continue
            turn = 1
        if turn == 1:
            out.append(_pair(a, mixed(row, rnd), 0, "same_problem_far", "mixed, 400-3000 m away", src,
                             rnd.uniform(400, 3000), rnd.uniform(0, 240)))
        elif turn == 2:
            n, m = rnd.sample(range(1, 30), 2)
            b_text = shorten(row, rnd)
            out.append(_pair(f"{n}栋" + b_text, f"{m}栋" + synonyms(b_text, rnd), 0, "another_building",
                             "shorten+synonyms, building numbers differ", src, *_near(rnd)))
        elif turn == 3:
            out.append(_pair(a, reorder(row, rnd), 0, "same_problem_later", "reorder, 30-90 days later", src,
                             rnd.uniform(0, 200), rnd.uniform(30 * 24, 90 * 24)))
    for k, p in enumerate(out):
        p["id"] = k + 1
    return out


def main(argv: list[str]) -> None:
    from pathlib import Path

    from .scoring import Scorer

    rows = [json.loads(line) for path in argv for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    scorer = Scorer.default()
    for p in build(rows, lambda q, texts: scorer.similarities(q, texts)):
        print(json.dumps({"id": p.pop("id"), **p}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
