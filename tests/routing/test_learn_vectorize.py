"""The numpy character-gram TF-IDF gives the same figures as scikit-learn's TfidfVectorizer."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from grassroots.routing.learn.features import char_grams
from grassroots.routing.learn.vectorize import CharGramVectorizer, gram_key

TEXTS = ["小区物业乱收费", "物业费太高，小区环境差！", "Bus 12 路公交车改线", "学校乱收费\n补课费", "😀 表情 ABC abc"]


def test_same_as_scikit_learn():
    ours, theirs = CharGramVectorizer(), TfidfVectorizer(analyzer=char_grams, sublinear_tf=True)
    a = ours.fit_transform(TEXTS[:4])
    b = theirs.fit_transform(TEXTS[:4])
    order = [int(np.searchsorted(ours.vocabulary, gram_key(g))) for g in theirs.get_feature_names_out()]
    assert a.shape == b.shape
    assert np.allclose(a[:, order].toarray(), b.toarray(), atol=1e-6)
    assert np.allclose(ours.transform(TEXTS)[:, order].toarray(), theirs.transform(TEXTS).toarray(), atol=1e-6)


def test_unknown_and_empty_texts():
    v = CharGramVectorizer()
    v.fit_transform(["物业"])
    m = v.transform(["", "完全不同"])
    assert m.shape == (2, 3) and m.nnz == 0
