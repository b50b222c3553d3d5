"""TF-IDF vectors of Chinese texts (scikit-learn), in the shapes the platform uses.

    TextVectors(ngrams=(1, 2))                         # the case classifier: character 1–2-grams
    TextVectors(ngrams=(2, 3), prepare=normalize,      # the duplicate finder: 2–3-grams, and grams
                open_vocabulary=True)                  #   never seen in fitting still count
    TextVectors(unit="words", max_df=0.5)              # hot-problem titles: jieba words

Chinese words are mostly one or two characters, so character n-grams capture them without a word
segmenter, and a re-worded complaint keeps most of its bigrams (the place, the object, the fault).
Words (jieba) help where a short title names the problem in a few words that character pairs would
split across (hot problems). Every shape weighs the same way: sub-linear term frequency
(``1 + ln tf``), smoothed IDF (``ln((1 + n) / (1 + df)) + 1``), rows of unit length — so the dot
product of two rows is their cosine.

``open_vocabulary=True`` hashes the grams (``HashingVectorizer``) instead of keeping a vocabulary:
a gram the fitting texts never held still gets a column and the highest IDF weight, which is what
a rare place or object name deserves when two new requests are compared.

Why scikit-learn and not our own counting: measured in ``docs/routing.md`` ("One text-vector
module"), the same figures as the earlier hand-written numpy vectorizer for about 0.4 ms more per
single message and half a second more per training of 5,000 messages — well inside the budgets.
Counts are float64: the hot-problem groups keep their exact order that way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer

HASH_FEATURES = 2**18

# Words that say nothing about which problem it is (how residents ask, not what they ask about).
STOP_WORDS = frozenset((
    "请问", "什么", "什么时候", "为什么", "怎么", "怎么办", "如何", "能否", "能不能", "可否", "是否", "关于", "反映",
    "希望", "建议", "问题", "情况", "咨询", "投诉", "请求", "要求", "一直", "还是", "已经", "我们", "我家", "你们",
    "他们", "这个", "那个", "没有", "不能", "可以", "严重"))


def words(text: str) -> list[str]:
    """jieba's words of a text, without punctuation, single characters and ``STOP_WORDS``."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text, HMM=False) if len(w) > 1 and w not in STOP_WORDS and not w.isspace()]


GRAMS_KEPT = 2_000_000  # hashed grams a TextVectors with an open vocabulary keeps, of the texts seen last (~16 MB)


class _Rows:
    """The hashed-count rows of the texts seen last, by a digest of the text: (column indices, counts)."""

    def __init__(self, grams: int) -> None:
        self.grams, self._held = grams, 0
        self._kept: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()  # a threaded web process shares its scorer

    def rows(self, texts: Sequence[str], count: Callable[[list[str]], csr_matrix]) -> list[tuple[np.ndarray, np.ndarray]]:
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        with self._lock:
            found = {k: self._kept[k] for k in keys if k in self._kept}
            for k in found:
                self._kept.move_to_end(k)
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if new:
            m = count(list(new.values()))
            with self._lock:
                for n, key in enumerate(new):
                    a, b = m.indptr[n], m.indptr[n + 1]
                    row = (m.indices[a:b].astype(np.int32), m.data[a:b].astype(np.float32))  # counts: exact
                    found[key] = row
                    if key not in self._kept:
                        self._kept[key] = row
                        self._held += b - a
                while self._held > self.grams and self._kept:
                    self._held -= len(self._kept.popitem(last=False)[1][0])
        return [found[k] for k in keys]


class TextVectors:
    """Counts of a text's character n-grams (or words), weighed into unit-length TF-IDF rows.

    ``prepare``: what a text becomes before counting (lower-cased when not given). ``max_df``: grams
    found in more than this share of the fitting texts are left out (what every text says anyway).
    """

    def __init__(self, *, unit: Literal["chars", "words"] = "chars", ngrams: tuple[int, int] = (1, 2),
                 prepare: Callable[[str], str] | None = None, max_df: float = 1.0,
                 open_vocabulary: bool = False) -> None:
        if unit not in ("chars", "words"):
            raise ValueError(f"unit is 'chars' or 'words', not {unit!r}")
        if open_vocabulary and (unit == "words" or max_df < 1.0):
            raise ValueError("an open vocabulary counts character n-grams, with no max_df")
        self.unit, self.ngrams, self.open_vocabulary = unit, ngrams, open_vocabulary
        analysis = ({"analyzer": words} if unit == "words" else
                    {"analyzer": "char", "ngram_range": ngrams, "preprocessor": prepare,
                     "lowercase": prepare is None})
        if open_vocabulary:
            self.counter = HashingVectorizer(**analysis, n_features=HASH_FEATURES, alternate_sign=False, norm=None,
                                             dtype=np.float64)
        else:
            self.counter = CountVectorizer(**analysis, max_df=max_df, dtype=np.float64)
        self.weights = TfidfTransformer(sublinear_tf=True, norm="l2")
        self._empty = False  # fitted on texts that gave no gram at all
        self._rows = _Rows(GRAMS_KEPT)

    def __getstate__(self) -> dict:
        """A stored model (the routing classifier is pickled) keeps no cache and no lock."""
        return {k: v for k, v in self.__dict__.items() if k != "_rows"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._rows = _Rows(GRAMS_KEPT)

    def fit(self, texts: Sequence[str]) -> TextVectors:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        try:
            counts = self.counter.fit_transform(list(texts))
        except ValueError:  # no gram at all (every text empty), or every gram above max_df
            self._empty = True
            return csr_matrix((len(texts), 1))
        self._empty = False
        return self.weights.fit_transform(counts)

    def counts(self, texts: Sequence[str]) -> csr_matrix:
        """How often each gram occurs in each text (no weights). With an open vocabulary a text's row
        depends on that text alone, so the rows of the texts seen last are kept (``GRAMS_KEPT`` grams): the
        duplicate finder compares each new case with the same open cases near it, again and again."""
        if self._empty:
            return csr_matrix((len(texts), 1))
        if not self.open_vocabulary:
            return self.counter.transform(list(texts))
        rows = self._rows.rows(texts, self.counter.transform)
        lengths = np.fromiter((len(indices) for indices, _ in rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        indices = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int32)
        data = np.concatenate([d for _, d in rows], dtype=np.float64) if rows else np.zeros(0)
        return csr_matrix((data, indices, indptr), shape=(len(rows), HASH_FEATURES))

    def weigh(self, counts: csr_matrix) -> csr_matrix:
        if self._empty:
            return counts
        return self.weights.transform(counts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        return self.weigh(self.counts(texts))

    @property
    def idf(self) -> np.ndarray:
        return np.zeros(1) if self._empty else self.weights.idf_

    def compare(self, query: str, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Two similarities of ``query`` to each of ``texts``, both in [0, 1] and symmetric:

        * the cosine of their TF-IDF rows;
        * containment: the IDF mass of the grams both hold, over the IDF mass of the smaller text's
          grams — a two-line second report of what the first wrote a page on scores high.
        """
        if not texts:
            return np.zeros(0), np.zeros(0)
        counts = self.counts([query, *texts])
        rows = self.weigh(counts)
        cosine = np.asarray((rows[1:] @ rows[0].T).todense()).ravel()
        present = (counts > 0).astype(np.float64)
        mass = present @ self.idf
        query_grams = present[0].indices  # the IDF of the query's grams, as a column: one sparse product
        weighed = csr_matrix((self.idf[query_grams], query_grams, [0, len(query_grams)]), shape=present[0].shape)
        shared = np.asarray((present[1:] @ weighed.T).todense()).ravel()
        smaller = np.minimum(mass[1:], mass[0])
        contained = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
        return np.clip(cosine, 0.0, 1.0), np.clip(contained, 0.0, 1.0)


def linked_pairs(rows: csr_matrix, threshold: float, *, block: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i, j), i ≠ j, of rows whose dot product is at least ``threshold`` (both orders),
    computed ``block`` rows at a time so that memory stays at ``block × n`` floats for any ``n``."""
    n = rows.shape[0]
    found_i, found_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for start in range(0, n, block):
        sims = (rows[start:start + block] @ rows.T).toarray()
        i, j = np.nonzero(sims >= threshold)
        keep = (i + start) != j
        found_i.append(i[keep] + start)
        found_j.append(j[keep])
    return np.concatenate(found_i), np.concatenate(found_j)
