"""Groups of similar texts: the same problem reported in many places. Pure functions, no Django.

Each case's title becomes a TF-IDF vector of its words (jieba, without the words of asking:
请问, 能否, 反映 …), the start of its body (120 characters) one over character pairs (both from
``grassroots.text``). The similarity of two cases is ``TITLE_WEIGHT`` × the titles' cosine + the rest × the
bodies' (a title says what the problem is; a long body mostly dilutes it — measured on the real
voted messages, tests/hotspots/test_textcluster.py). Two cases are linked when their similarity is
at least ``THRESHOLD``. Groups are found in two steps: the connected
components of those links (cheap, over sparse rows), then, inside each component, average-linkage
clustering cut at ``GROUP_THRESHOLD`` (two sub-groups join when their members are, on average,
that similar) — so one loose link cannot chain two problems together (a
component held together by a shared estate name splits back into its problems). The similarity is
computed in row blocks, so memory stays at ``BLOCK × n`` floats for any ``n``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering

from grassroots.text import TextVectors, linked_pairs

THRESHOLD = 0.3
GROUP_THRESHOLD = 0.2  # the mean similarity two sub-groups of a component need to be joined
TITLE_WEIGHT = 0.8
BODY_CHARS = 120
BLOCK = 512


def vectorize(titles: Sequence[str], bodies: Sequence[str]):
    """Rows whose dot products are the weighted similarities (each part L2-normalised)."""
    max_df = 0.5 if len(titles) >= 50 else 1.0  # in a large batch, what half the texts say is noise
    t = TextVectors(unit="words", max_df=max_df).fit_transform([x or "" for x in titles])
    b = TextVectors(ngrams=(2, 2), max_df=max_df).fit_transform([(x or "")[:BODY_CHARS] for x in bodies])
    return hstack([t * math.sqrt(TITLE_WEIGHT), b * math.sqrt(1 - TITLE_WEIGHT)]).tocsr()


def similar_groups(titles: Sequence[str], bodies: Sequence[str], *, threshold: float = THRESHOLD,
                   group_threshold: float = GROUP_THRESHOLD, min_size: int = 2) -> list[list[int]]:
    """Indices of the texts grouped by similarity (groups of at least ``min_size``), each group
    ordered from its most central member (highest mean similarity to the others) outwards;
    the largest groups first."""
    n = len(titles)
    if n != len(bodies):
        raise ValueError("titles and bodies differ in length")
    if n < max(min_size, 2):
        return []
    matrix = vectorize(titles, bodies)
    row, col = linked_pairs(matrix, threshold, block=BLOCK)
    graph = coo_matrix((np.ones(len(row)), (row, col)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(int(label), []).append(i)
    groups: list[list[int]] = []
    for component in members.values():
        if len(component) < min_size:
            continue
        for group in _average_linkage(component, matrix, min(threshold, group_threshold)):
            if len(group) >= min_size:
                groups.append(_central_first(group, matrix))
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def _average_linkage(component: list[int], matrix, threshold: float) -> list[list[int]]:
    if len(component) <= 2:
        return [component]
    sims = (matrix[component] @ matrix[component].T).toarray()
    distances = np.clip(1.0 - sims, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - threshold).fit_predict(distances)
    out: dict[int, list[int]] = {}
    for index, label in zip(component, labels, strict=True):
        out.setdefault(int(label), []).append(index)
    return list(out.values())


def _central_first(group: list[int], matrix) -> list[int]:
    sub = matrix[group]
    sims = (sub @ sub.T).toarray().sum(axis=1)
    order = sorted(range(len(group)), key=lambda k: (-sims[k], group[k]))
    return [group[k] for k in order]
