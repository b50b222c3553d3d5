"""What the classifier sees of a message, and the taxonomy knowledge it ships with.

* The text is the title written ``TITLE_WEIGHT`` times, then the first ``BODY_CHARS`` characters of
  the body: a message's title names its subject, and the first few sentences of a body say what it
  is about (the rest is detail, addresses and pleas that every category shares).
* Features are character 1- and 2-grams (``grassroots.text.TextVectors``). Chinese words are
  mostly one or two characters, so bigrams capture them without a word segmenter; that is also what
  makes prediction fast (no dictionary to search). Cross-validation on the sample found word features (jieba) no better and five times slower.
* Taxonomy documents: every level-3 category of ``cases/data/case_taxonomy.csv`` becomes one short
  pseudo-document (its level-2 + level-3 names) labelled with its level-1 category. They teach the
  model the words of categories the 244 labelled messages never mention (e.g. 快递市场管理 under
  交通运输). Knowledge the product ships anyway; nothing fitted to an evaluation set.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TITLE_WEIGHT = 3
BODY_CHARS = 400
TAXONOMY_CSV = Path(__file__).resolve().parents[2] / "cases" / "data" / "case_taxonomy.csv"

_SPACE = re.compile(r"\s+")


def message_text(title: str, body: str = "", *, title_weight: int = TITLE_WEIGHT,
                 body_chars: int = BODY_CHARS) -> str:
    """The text the features are taken from: the title ``title_weight`` times, then the head of the body."""
    title = _SPACE.sub(" ", title or "").strip()
    body = _SPACE.sub(" ", (body or "")[: body_chars + 200]).strip()[:body_chars]
    return "\n".join([title] * title_weight + [body])


def taxonomy_documents(rows: Iterable[Sequence[str]], labels: Iterable[str], *, sep: str = "/") -> dict[str, list[str]]:
    """Pseudo-documents per label from taxonomy rows ``(level1, level2, level3)``.

    Each level-3 category gives one document, its level-2 and level-3 names ("城市建设和市政管理 园林绿化"),
    for the most specific label that contains it: labels are level-1 names ("城乡建设") or paths
    ("城乡建设/住房保障与房地产", "城乡建设/住房保障与房地产/物业服务"). Rows under no label are left out
    (a model predicts only the labels it was trained on).
    """
    wanted = set(labels)
    out: dict[str, list[str]] = {}
    for row in rows:
        path = [str(part).strip() for part in row[:3]]
        for depth in (3, 2, 1):
            label = sep.join(path[:depth])
            if label in wanted:
                out.setdefault(label, []).append(f"{path[1]} {path[2]}".strip())
                break
    return out


def shipped_taxonomy_rows(path: Path = TAXONOMY_CSV) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(r["level1"], r["level2"], r["level3"]) for r in csv.DictReader(handle)]


def default_documents(labels: Iterable[str]) -> dict[str, list[str]]:
    """The shipped taxonomy's documents for labels that are its level-1 names or ``/``-paths."""
    try:
        rows = shipped_taxonomy_rows()
    except OSError:
        return {}
    return taxonomy_documents(rows, labels)


def document_count(documents: Mapping[str, Sequence[str]]) -> int:
    return sum(len(docs) for docs in documents.values())
