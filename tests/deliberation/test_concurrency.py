"""One household, one vote, when its two accounts and a paper ballot arrive at the same moment, each
twice (PostgreSQL: the unique index decides; the tally matches the roll)."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import User
from grassroots.areas.models import Area
from grassroots.deliberation.models import Vote, VoterRoll
from grassroots.deliberation.services import results, vote_cast, vote_open, vote_paper
from tests.volunteers.test_concurrency import at_once

from .conftest import later, verified

pytestmark = [
    pytest.mark.postgresql,  # needs PostgreSQL row locks
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_accounts_two_clicks_and_a_paper_ballot_count_once(tree):
    home = tree.residents[0].household
    a = verified(tree, 1)
    b = verified(tree, 1, household=home, username="spouse_1")
    others = [verified(tree, n) for n in (2, 3)]
    vote = vote_open(actor=tree.user("community_worker_1"), area=tree.communities[0], question="加装电梯",
                     closes_at=later())

    def online(pk, choice):
        return lambda: vote_cast(vote=Vote.objects.get(pk=vote.pk), user=User.objects.get(pk=pk), choice=choice).channel

    def paper():
        return vote_paper(vote=Vote.objects.get(pk=vote.pk), actor=User.objects.get(username="grid_worker_A"),
                          household=Area.objects.get(pk=home.pk), choice="no").channel

    calls = [online(a.pk, "yes"), online(a.pk, "yes"), online(b.pk, "no"), online(b.pk, "no"), paper, paper,
             online(others[0].pk, "yes"), online(others[1].pk, "abstain")]
    outcome = at_once(calls)
    assert sum(r in ("online", "paper") for r in outcome) == 3, outcome  # one for the household, two others
    assert all(r in ("online", "paper") or "已经投过票" in r for r in outcome), outcome
    assert VoterRoll.objects.filter(vote=vote, household=home).count() == 1
    assert results(Vote.objects.get(pk=vote.pk))["cast"] == VoterRoll.objects.filter(vote=vote).count() == 3
