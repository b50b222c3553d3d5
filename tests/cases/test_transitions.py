"""The state table itself: complete, documented truthfully, every action wired to an effect."""

from __future__ import annotations

import re

from grassroots.cases import transitions
from grassroots.cases.effects import EFFECTS
from grassroots.cases.models import Case, Rating
from grassroots.cases.transitions import (
    ACTIONS,
    NOTES,
    OPEN,
    RUNNING,
    TABLE,
    TERMINAL,
    TRANSITIONS,
    actions_from,
    is_allowed_step,
    resolve_action,
)

S = Case.Status


def documented_table() -> dict[str, tuple[set[str], str]]:
    """The table in the module docstring, parsed: action → (from statuses, to status)."""
    doc = transitions.__doc__
    block = doc.split("The table")[1].split("Terminal:")[0]
    entries: list[str] = []
    for line in block.splitlines():
        if re.match(r"^    \w", line):
            entries.append(line)
        elif entries and re.match(r"^\s{10,}\w", line) and "→" not in entries[-1]:
            entries[-1] += " " + line
    table = {}
    for entry in entries:
        head, _, tail = entry.partition("→")
        action, *sources = head.replace(",", " ").split()
        table[action] = (set(sources), tail.split()[0])
    return table


def test_docstring_states_the_table_exactly():
    documented = documented_table()
    assert set(documented) == set(TRANSITIONS)
    for action, transition in TRANSITIONS.items():
        assert documented[action] == (set(transition.sources), transition.target), action


def test_every_state_is_reachable_and_only_rejected_and_merged_are_dead_ends():
    targets = {t.target for t in TRANSITIONS.values()}
    assert targets | {S.REPORTED} == set(S.values)
    for status in S.values:
        assert bool(actions_from(status)) is (status not in TERMINAL), status
    assert actions_from(S.CLOSED) == ["reopen", "comment"]


def test_every_action_has_an_effect_and_valid_statuses():
    assert set(EFFECTS) == set(TABLE) == set(TRANSITIONS) | set(NOTES)
    assert not set(TRANSITIONS) & set(NOTES)
    assert "rate_unsatisfied" not in ACTIONS
    for transition in TRANSITIONS.values():
        assert transition.sources <= set(S.values) and transition.target in S.values
        assert transition.who and transition.label
    for transition in NOTES.values():
        assert transition.sources <= set(S.values) and transition.target == ""
        assert transition.who and transition.label and not transition.public


def documented_notes() -> dict[str, set[str]]:
    """The notes table in the module docstring: action → statuses (``open`` expanded)."""
    block = transitions.__doc__.split("The notes")[1].split("::")[1].split("Approving")[0]
    entries: list[str] = []
    for line in block.splitlines():
        if re.match(r"^    \w", line):
            entries.append(line)
        elif entries and line.strip():
            entries[-1] += " " + line
    table = {}
    for entry in entries:
        words = entry.replace(",", " ").split()
        statuses = set()
        for word in words[1:]:
            if word == "open":
                statuses |= set(OPEN)
            elif word in S.values:
                statuses.add(word)
            elif statuses:
                break
        table[words[0]] = statuses
    return table


def test_docstring_states_the_notes_exactly():
    assert documented_notes() == {action: set(t.sources) for action, t in NOTES.items()}


def test_a_note_keeps_the_status_and_nothing_else_does():
    for action, transition in NOTES.items():
        for status in transition.sources:
            assert is_allowed_step(action, status, status)
            assert not any(is_allowed_step(action, status, other) for other in S.values if other != status)
    assert RUNNING <= OPEN


def test_first_dissatisfied_rating_reopens_the_second_closes():
    assert resolve_action("rate", rating=Rating.UNSATISFIED, previous_rating="") == "rate_unsatisfied"
    assert resolve_action("rate", rating=Rating.UNSATISFIED, previous_rating=Rating.SATISFIED) == "rate_unsatisfied"
    assert resolve_action("rate", rating=Rating.UNSATISFIED, previous_rating=Rating.UNSATISFIED) == "rate"
    assert resolve_action("rate", rating=Rating.BASIC, previous_rating="") == "rate"
    assert resolve_action("take", rating=Rating.UNSATISFIED) == "take"
