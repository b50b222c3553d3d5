"""The one text-vector module: what its three users rely on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from grassroots.text import STOP_WORDS, TextVectors, linked_pairs, words

LIFT = "3号楼电梯又坏了，老人上下楼很困难"
LIFT_AGAIN = "3号楼的电梯坏了好几天，老人下不了楼"
LAMP = "小区门口路灯不亮，晚上看不清路"


def test_rows_have_unit_length_and_a_reworded_complaint_is_closer_than_another_problem():
    v = TextVectors(ngrams=(1, 2))
    rows = v.fit_transform([LIFT, LIFT_AGAIN, LAMP])
    assert np.allclose(np.sqrt(rows.multiply(rows).sum(axis=1)).A1, 1.0)
    sims = (rows @ rows.T).toarray()
    assert sims[0, 1] > 0.3 > sims[0, 2]


def test_a_closed_vocabulary_ignores_unseen_grams_an_open_one_weighs_them_highest():
    closed = TextVectors(ngrams=(2, 2)).fit(["电梯坏了", "路灯坏了"])
    assert closed.transform(["窨井盖丢"]).nnz == 0
    open_ = TextVectors(ngrams=(2, 2), open_vocabulary=True).fit(["电梯坏了", "路灯坏了"])
    counts = open_.counts(["窨井盖丢", "坏了"])
    unseen = open_.idf[counts[0].indices]
    assert len(unseen) == 3 and np.allclose(unseen, open_.idf.max())
    assert open_.idf[counts[1].indices].max() < open_.idf.max()  # 坏了 is in every fitting text


def test_prepare_replaces_lower_casing():
    as_is = TextVectors(ngrams=(1, 1), prepare=lambda text: text).fit(["abc"])
    assert as_is.transform(["abc"]).nnz == 3 and as_is.transform(["ABC"]).nnz == 0
    plain = TextVectors(ngrams=(1, 1)).fit(["abc"])
    assert plain.transform(["ABC"]).nnz == 3


def test_words_leave_out_how_residents_ask():
    found = words("请问小区电梯什么时候能修好")
    assert "电梯" in found and not set(found) & STOP_WORDS and all(len(w) > 1 for w in found)
    rows = TextVectors(unit="words").fit_transform(["请问电梯故障", "电梯故障", "路灯不亮"])
    assert (rows @ rows.T).toarray()[0, 1] == pytest.approx(1.0)  # same words once 请问 is gone


def test_nothing_to_count_gives_zero_rows_not_an_error():
    v = TextVectors(ngrams=(1, 2))
    assert v.fit_transform(["", ""]).nnz == 0
    assert v.transform(["电梯"]).shape == (1, 1) and v.transform(["电梯"]).nnz == 0
    common = TextVectors(ngrams=(2, 2), max_df=0.5)  # every gram in every text: all above max_df
    assert common.fit_transform(["电梯", "电梯", "电梯"]).nnz == 0
    assert v.compare("电梯", ["电梯"])[0].tolist() == [0.0]


def test_compare_cosine_and_containment():
    v = TextVectors(ngrams=(2, 3), open_vocabulary=True).fit([LIFT, LAMP])
    long = LIFT + "。物业说在等配件，已经一周了，楼里很多老人只能爬楼，请尽快维修。"
    cosine, contained = v.compare(long, [LIFT, LAMP])
    assert contained[0] == pytest.approx(1.0) and cosine[0] < contained[0]  # the short one is inside
    assert contained[1] < 0.2 and cosine[1] < 0.2
    assert v.compare(LIFT, [])[0].size == 0
    there, back = v.compare(LIFT, [LIFT_AGAIN]), v.compare(LIFT_AGAIN, [LIFT])
    assert np.allclose(there, back)  # symmetric


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), min_size=0, max_size=12),
       st.floats(0.05, 0.95), st.integers(1, 5))
def test_linked_pairs_are_exactly_the_pairs_at_or_above_the_threshold_whatever_the_block(values, threshold, block):
    dense = np.array(values, dtype=float).reshape(len(values), 4)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    dense = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    i, j = linked_pairs(csr_matrix(dense), threshold, block=block)
    sims = dense @ dense.T
    expected = {(a, b) for a in range(len(dense)) for b in range(len(dense)) if a != b and sims[a, b] >= threshold}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        TextVectors(unit="letters")
    with pytest.raises(ValueError):
        TextVectors(unit="words", open_vocabulary=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([LIFT, LIFT_AGAIN, LAMP, "窨井盖丢了", "", "噪音扰民，晚上十点后还在施工"]),
                max_size=8), st.lists(st.text(max_size=30), max_size=4))
def test_an_open_vocabulary_counts_kept_rows_as_it_counts_new_ones(seen, fresh):
    """The duplicate finder counts the same open cases again for every new case near them: rows kept
    from earlier calls (some evicted, some repeated in one call) give the very counts of a new count."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from grassroots.text import vectors

    v = TextVectors(ngrams=(2, 3), open_vocabulary=True).fit([LIFT, LAMP])
    v._rows = vectors._Rows(40)  # small: earlier texts are evicted while others stay
    v.counts([LIFT, LAMP, "电梯"])
    texts = seen + fresh + seen
    plain = HashingVectorizer(analyzer="char", ngram_range=(2, 3), lowercase=True, n_features=vectors.HASH_FEATURES,
                              alternate_sign=False, norm=None)
    got = v.counts(texts)
    assert got.shape == (len(texts), vectors.HASH_FEATURES)
    assert np.array_equal(got.toarray(), plain.transform(texts).toarray()) if texts else got.nnz == 0
    assert v._rows._held <= 40


def test_a_stored_model_keeps_no_cache_and_counts_after_loading():
    import pickle

    v = TextVectors(ngrams=(2, 3), open_vocabulary=True).fit([LIFT, LAMP])
    before = v.counts([LIFT_AGAIN]).toarray()
    loaded = pickle.loads(pickle.dumps(v))
    assert not loaded._rows._kept
    assert np.array_equal(loaded.counts([LIFT_AGAIN]).toarray(), before)
