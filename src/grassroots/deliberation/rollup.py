"""How a parent resolution's progress follows its children (pure: no database).

A resolution with children takes the mean of its children's progress (dropped children left out,
rounded down, so a parent shows 100 only when every child is done) and is done exactly when all of
them are; a resolution without children keeps the progress its owner reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    progress: int = 0
    dropped: bool = False
    children: list[Node] = field(default_factory=list)


def rolled(node: Node) -> int:
    live = [c for c in node.children if not c.dropped]
    if not live:
        return node.progress
    values = [rolled(c) for c in live]
    return sum(values) // len(values)
