"""The texts the scorer's IDF is learned from: the real labelled messages the product ships for the
classifier (``routing/data/messages_labeled_sample.jsonl``). Pure Python, no Django.

The evaluation pairs (``data/pairs.jsonl``) are built from the *other* two files of real messages,
so no message of the evaluation set shaped the scorer."""

from __future__ import annotations

import json
from pathlib import Path

IDF_FILE = Path(__file__).resolve().parent.parent / "routing" / "data" / "messages_labeled_sample.jsonl"


def idf_texts(path: Path = IDF_FILE) -> list[str]:
    """Title + body of each message; an empty list when the file is not there (uniform weights)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    texts = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            texts.append(f"{row.get('title', '')}\n{row.get('body', '')}")
    return texts
