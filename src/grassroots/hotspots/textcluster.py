"""Groups of similar texts: the same problem reported in many places. Pure functions, no Django.

Each case's title becomes a TF-IDF vector of its words (jieba, without the words of asking:
请问, 能否, 反映 …), the start of its body one over character 2–3-grams. The similarity of two cases is ``TITLE_WEIGHT`` × the titles' cosine + the rest × the
bodies' (a title says what the problem is; a long body mostly dilutes it — measured on the real
voted messages, tests/hotspots/test_textcluster.py). Two cases are linked when their similarity is
at least ``THRESHOLD``; a group is a
connected component of those links. To keep one loose link from chaining two problems together,
a component is kept only where each member is linked to at least ``min(MIN_LINKS, size-1)``
others; members below that are dropped. The similarity is computed in row blocks, so memory stays
at ``BLOCK × n`` floats for any ``n``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

THRESHOLD = 0.3
TITLE_WEIGHT = 0.8
BODY_CHARS = 200
MIN_LINKS = 2
BLOCK = 512


# Words that say nothing about which problem it is (how residents ask, not what they ask about).
STOP_WORDS = frozenset("请问 什么 什么时候 为什么 怎么 怎么办 如何 能否 能不能 可否 是否 关于 反映 希望 建议 问题 情况 咨询 "
                       "投诉 请求 要求 一直 还是 已经 我们 我家 你们 他们 这个 那个 没有 不能 可以 严重".split())


def words(text: str) -> list[str]:
    """jieba's words of a text, without punctuation, single characters and ``STOP_WORDS``."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text) if len(w) > 1 and w not in STOP_WORDS and not w.isspace()]


def _tfidf(texts: Sequence[str], *, by_words: bool = False):
    kind = {"analyzer": words} if by_words else {"analyzer": "char", "ngram_range": (2, 3)}
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1, max_df=0.5 if len(texts) >= 50 else 1.0, **kind)
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # nothing to vectorize (all empty, or every n-gram too common)
        return csr_matrix((len(texts), 1))


def vectorize(titles: Sequence[str], bodies: Sequence[str]):
    """Rows whose dot products are the weighted similarities (each part L2-normalised)."""
    t = _tfidf([x or "" for x in titles], by_words=True)
    b = _tfidf([(x or "")[:BODY_CHARS] for x in bodies])
    return hstack([t * math.sqrt(TITLE_WEIGHT), b * math.sqrt(1 - TITLE_WEIGHT)]).tocsr()


def similar_groups(titles: Sequence[str], bodies: Sequence[str], *, threshold: float = THRESHOLD,
                   min_size: int = 2, min_links: int = MIN_LINKS) -> list[list[int]]:
    """Indices of the texts grouped by similarity (groups of at least ``min_size``), each group
    ordered from its most central member (highest mean similarity to the others) outwards;
    the largest groups first."""
    n = len(titles)
    if n != len(bodies):
        raise ValueError("titles and bodies differ in length")
    if n < max(min_size, 2):
        return []
    matrix = vectorize(titles, bodies)
    rows, cols, vals = [], [], []
    for start in range(0, n, BLOCK):
        block = (matrix[start:start + BLOCK] @ matrix.T).toarray()
        r, c = np.nonzero(block >= threshold)
        keep = (r + start) != c
        rows.append(r[keep] + start)
        cols.append(c[keep])
        vals.append(block[r[keep], c[keep]])
    row, col, val = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    links = np.bincount(row, minlength=n)
    groups: list[list[int]] = []
    _count, labels = connected_components(coo_matrix((val, (row, col)), shape=(n, n)), directed=False)
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(int(label), []).append(i)
    for group in members.values():
        if len(group) < min_size:
            continue
        need = min(min_links, len(group) - 1)
        kept = [i for i in group if links[i] >= need]
        if len(kept) >= min_size:
            groups.append(_central_first(kept, matrix))
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def _central_first(group: list[int], matrix) -> list[int]:
    sub = matrix[group]
    sims = (sub @ sub.T).toarray().sum(axis=1)
    order = sorted(range(len(group)), key=lambda k: (-sims[k], group[k]))
    return [group[k] for k in order]
