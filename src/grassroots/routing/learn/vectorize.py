"""TF-IDF over character 1- and 2-grams, computed with numpy on code points.

The same figures as ``TfidfVectorizer(analyzer=features.char_grams, sublinear_tf=True)`` (smoothed idf,
``1 + ln tf``, rows of unit length; ``tests/routing/test_learn_vectorize.py`` checks it), about ten
times faster: a gram is an integer (a code point, or two code points packed into one int64), the
vocabulary a sorted array searched with ``np.searchsorted``, a batch of texts one pass of array
operations instead of a Python loop over every gram. The vocabulary pickles as two small arrays.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

_SHIFT = 21  # code points are < 2**21; a bigram (a, b) is (a + 1) << 21 | b, so never equal to a unigram


def gram_key(gram: str) -> int:
    codes = [ord(c) for c in gram]
    return codes[0] if len(codes) == 1 else (codes[0] + 1) << _SHIFT | codes[1]


def _keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every gram key of every text and the index of the text it comes from."""
    arrays = [np.frombuffer(t.lower().encode("utf-32-le"), dtype=np.uint32) for t in texts]
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    codes = np.concatenate(arrays).astype(np.int64) if arrays else np.zeros(0, np.int64)
    docs = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    same_doc = docs[:-1] == docs[1:]
    bigrams = ((codes[:-1] + 1) << _SHIFT | codes[1:])[same_doc]
    return np.concatenate([codes, bigrams]), np.concatenate([docs, docs[:-1][same_doc]])


class CharGramVectorizer:
    def __init__(self) -> None:
        self.vocabulary = np.zeros(0, np.int64)  # sorted gram keys; a gram's column is its position
        self.idf = np.zeros(0, np.float32)

    def fit_transform(self, texts: list[str]) -> csr_matrix:
        keys, docs = _keys(texts)
        ordered = np.sort(keys)  # (np.unique is several times slower on millions of keys)
        self.vocabulary = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered
        counts = self._counts(docs, np.searchsorted(self.vocabulary, keys), len(texts))
        df = np.bincount(counts.indices, minlength=len(self.vocabulary))  # texts that hold each gram
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        return self._weigh(counts)

    def transform(self, texts: list[str]) -> csr_matrix:
        keys, docs = _keys(texts)
        if len(self.vocabulary) == 0:
            return csr_matrix((len(texts), 0), dtype=np.float32)
        columns = np.minimum(np.searchsorted(self.vocabulary, keys), len(self.vocabulary) - 1)
        known = self.vocabulary[columns] == keys
        return self._weigh(self._counts(docs[known], columns[known], len(texts)))

    def _counts(self, docs: np.ndarray, columns: np.ndarray, n_texts: int) -> csr_matrix:
        counts = csr_matrix((np.ones(len(docs), np.float32), (docs, columns)),
                            shape=(n_texts, len(self.vocabulary)), dtype=np.float32)
        counts.sum_duplicates()  # now data holds each gram's count in its text
        return counts

    def _weigh(self, counts: csr_matrix) -> csr_matrix:
        counts.data = (1 + np.log(counts.data)) * self.idf[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=counts.data.astype(np.float64) ** 2, minlength=counts.shape[0]))
        counts.data /= np.where(norms > 0, norms, 1)[rows].astype(np.float32)
        return counts

    def __getstate__(self) -> dict:
        return {"vocabulary": self.vocabulary, "idf": self.idf}

    def __setstate__(self, state: dict) -> None:
        self.vocabulary, self.idf = state["vocabulary"], state["idf"]
