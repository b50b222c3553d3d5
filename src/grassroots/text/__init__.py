"""Chinese text as vectors, for every part of the platform that compares or classifies texts.

Pure Python on scikit-learn, no Django: the routing classifier (``routing.learn``), the duplicate
finder (``duplicates.scoring``) and the hot-problem clusters (``hotspots.textcluster``) all take their
vectors from here. See ``vectors.py``.
"""

from .vectors import STOP_WORDS, TextVectors, linked_pairs, words

__all__ = ["STOP_WORDS", "TextVectors", "linked_pairs", "words"]
