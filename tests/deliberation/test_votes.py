"""Vote integrity: one household one vote (two accounts of one household, two clicks, paper after
online), quorum and majority, secret ballots that link no voter to a choice anywhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.deliberation.models import Tally, VoterRoll
from grassroots.deliberation.services import results, vote_cast, vote_close, vote_open, vote_paper

from .conftest import later, verified

pytestmark = pytest.mark.django_db


def _vote(tree, **kwargs):
    values = {"actor": tree.user("community_worker_1"), "area": tree.communities[0], "question": "加装电梯",
              "closes_at": later()}
    values.update(kwargs)
    return vote_open(**values)


def test_one_household_one_vote_even_with_two_accounts(tree, residents):
    vote = _vote(tree)
    assert vote.electorate == 8
    spouse = verified(tree, 1, household=tree.residents[0].household, username="spouse_1")
    vote_cast(vote=vote, user=residents[0], choice="yes")
    with pytest.raises(ValidationError, match="您家已经投过票了"):
        vote_cast(vote=vote, user=spouse, choice="no")
    with pytest.raises(ValidationError, match="已经投过票"):
        vote_cast(vote=vote, user=residents[0], choice="yes")  # a second click
    assert results(vote)["counts"] == {"yes": 1, "no": 0, "abstain": 0}


def test_one_person_one_vote_counts_each_account(tree, residents):
    vote = _vote(tree, unit="person")
    spouse = verified(tree, 1, household=tree.residents[0].household, username="spouse_1")
    vote_cast(vote=vote, user=residents[0], choice="yes")
    vote_cast(vote=vote, user=spouse, choice="no")
    assert results(vote)["cast"] == 2


def test_only_verified_residents_of_the_area_vote(tree, residents):
    vote = _vote(tree, area=tree.grid("A"))
    outside = residents[-1]  # grid B
    with pytest.raises(PermissionDenied):
        vote_cast(vote=vote, user=outside, choice="yes")
    with pytest.raises(PermissionDenied):
        vote_cast(vote=vote, user=tree.user("nobody"), choice="yes")


def test_paper_and_online_ballots_are_never_both_counted(tree, residents):
    vote = _vote(tree)
    home = tree.residents[0].household
    vote_paper(vote=vote, actor=tree.user("grid_worker_A"), household=home, choice="no")
    with pytest.raises(ValidationError, match="纸质"):
        vote_cast(vote=vote, user=residents[0], choice="yes")
    vote_cast(vote=vote, user=residents[1], choice="yes")
    with pytest.raises(ValidationError, match="线上"):
        vote_paper(vote=vote, actor=tree.user("grid_worker_A"), household=tree.residents[1].household, choice="no")
    with pytest.raises(PermissionDenied):  # another grid's worker
        vote_paper(vote=vote, actor=tree.user("grid_worker_B"), household=tree.residents[2].household, choice="no")
    outcome = results(vote)
    assert (outcome["cast"], outcome["paper"], outcome["counts"]["yes"], outcome["counts"]["no"]) == (2, 1, 1, 1)
    assert VoterRoll.objects.get(household=home).channel == "paper"


@pytest.mark.parametrize(("yes", "no", "abstain", "majority", "quorum", "passed"), [
    (3, 1, 0, "simple", 50, True),     # 4 of 8 voted: quorum met; 3 of 4 yes
    (2, 2, 0, "simple", 50, False),    # a tie is not a majority
    (3, 0, 0, "simple", 50, False),    # 3 of 8: below quorum
    (3, 1, 0, "two_thirds", 50, True),
    (2, 1, 1, "two_thirds", 50, False),  # 2 of 4 is below two thirds
    (1, 0, 0, "simple", 0, True),
])
def test_quorum_and_majority(tree, residents, yes, no, abstain, majority, quorum, passed):
    vote = _vote(tree, majority=majority, quorum_percent=quorum)
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    for user, choice in zip(residents, choices, strict=False):
        vote_cast(vote=vote, user=user, choice=choice)
    closed = vote_close(vote=vote, actor=tree.user("community_worker_1"))
    assert closed.passed is passed and "参与率" in closed.result_note
    with pytest.raises(ValidationError, match="已结束"):
        vote_cast(vote=vote, user=residents[-1], choice="yes")


def test_a_secret_ballot_keeps_no_link_between_voter_and_choice(tree, residents):
    vote = _vote(tree, secret=True)
    vote_cast(vote=vote, user=residents[0], choice="no")
    vote_cast(vote=vote, user=residents[1], choice="yes")
    assert set(VoterRoll.objects.filter(vote=vote).values_list("open_choice", flat=True)) == {""}
    # the vote's district (the shard key) is the only column beyond the count: nothing names a voter
    assert {f.name for f in Tally._meta.concrete_fields} == {"id", "vote", "choice", "channel", "count",
                                                             "district_code"}
    open_vote = _vote(tree, secret=False)
    vote_cast(vote=open_vote, user=residents[0], choice="no")
    assert VoterRoll.objects.get(vote=open_vote).open_choice == "no"
