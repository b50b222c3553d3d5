"""Clusters of the same problem across grids, from cases in the database: the real repeated
complaints (the voted messages, with their likes) placed in several grids group together among a
month's other cases, and rank by the residents they touch; one grid's repeats are not a cluster."""

from __future__ import annotations

import pytest

from grassroots.cases.models import Case
from grassroots.hotspots.clusters import clusters_for
from tests.hotspots.conftest import add_cases, labeled_messages, this_week, voted_messages

pytestmark = pytest.mark.django_db
GRIDS = "ABCDEFGH"


def _background(tree, n: int = 60) -> None:
    for i, msg in enumerate(labeled_messages()[:n]):
        add_cases(tree, GRIDS[i % 8], this_week(), 1, title=msg["title"], body=msg["body"][:300])


def _voted(tree, needle: str, grids: str) -> list[Case]:
    rows = [m for m in voted_messages() if needle in m["title"]]
    out = []
    for i, msg in enumerate(rows):
        (case,) = add_cases(tree, grids[i % len(grids)], this_week(), 1, title=msg["title"], body=msg["body"][:300])
        Case.objects.filter(pk=case.pk).update(likes=msg["likes"], dislikes=msg["dislikes"])
        out.append(case)
    return out


def test_paraphrases_across_grids_group_and_rank_by_residents_touched(tree):
    _background(tree)
    stalls = _voted(tree, "魅力之城", "ACE")  # 9 reports of the night stalls, in three grids
    college = _voted(tree, "经济学院", "BD")  # 5 reports of forced internships, in two grids
    found = clusters_for(tree.user("district_admin"), week=this_week())
    by_ids = {frozenset(c.case_ids): c for c in found}
    stall_cluster = next(c for c in found if set(c.case_ids) <= {x.pk for x in stalls})
    college_cluster = next(c for c in found if set(c.case_ids) <= {x.pk for x in college})
    assert len(stall_cluster.case_ids) >= 6 and len(college_cluster.case_ids) >= 3
    assert len(stall_cluster.grids) == 3 and len(college_cluster.grids) == 2
    likes = {c.pk: c.likes for c in Case.objects.filter(pk__in=stall_cluster.case_ids)}
    assert stall_cluster.likes == sum(likes.values()) > 0
    # every case has its own (unknown) resident: reporters = cases, residents = reporters + likes
    assert stall_cluster.reporters == len(stall_cluster.case_ids)
    assert stall_cluster.residents == stall_cluster.reporters + stall_cluster.likes
    assert found[0] is stall_cluster  # the most residents first
    assert [c.residents for c in found] == sorted((c.residents for c in found), reverse=True)
    assert len(by_ids) == len(found)
    grouped = {pk for c in found for pk in c.case_ids}
    assert grouped <= {x.pk for x in stalls + college}  # none of the month's other cases joined


def test_the_same_reporter_counts_once(tree):
    person = tree.residents[0].person
    for grid in "ABC":
        add_cases(tree, grid, this_week(), 1, title="小区电梯经常故障停运", body="电梯坏了好几天，老人上下楼困难。",
                  reporter=person)
    _background(tree, 30)
    (cluster,) = clusters_for(tree.user("district_admin"), week=this_week())
    assert len(cluster.case_ids) == 3 and cluster.reporters == 1 and cluster.residents == 1


def test_one_grids_repeats_are_not_a_cluster_and_scope_applies(tree):
    _background(tree, 30)
    add_cases(tree, "A", this_week(), 4, title="小区电梯经常故障停运", body="电梯坏了好几天，老人上下楼困难。")
    assert clusters_for(tree.user("district_admin"), week=this_week()) == []
    add_cases(tree, "E", this_week(), 2, title="电梯经常故障停运", body="电梯坏了，老人上下楼困难。")
    assert len(clusters_for(tree.user("district_admin"), week=this_week(), use_cache=False)) == 1
    # street 1 sees only its own four (one grid): no cluster across grids for them
    assert clusters_for(tree.user("street_admin_1"), week=this_week()) == []
