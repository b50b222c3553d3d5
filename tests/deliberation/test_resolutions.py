"""Resolutions: progress with evidence, a parent that follows its children (a property test), the
next meeting opening with the open resolutions of the last, topics that gather support onto it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.deliberation import rollup
from grassroots.deliberation.models import AgendaItem, Resolution, Topic
from grassroots.deliberation.services import (
    meeting_plan,
    resolution_add,
    resolution_drop,
    resolution_progress,
    topic_propose,
    topic_support,
)

from .conftest import later

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def trees(depth: int = 3):
    leaf = st.builds(rollup.Node, progress=st.integers(0, 100), dropped=st.booleans())
    return st.recursive(leaf, lambda kids: st.builds(rollup.Node, progress=st.integers(0, 100),
                                                     dropped=st.booleans(), children=st.lists(kids, max_size=4)),
                        max_leaves=12)


@pytest.mark.django_db(False)
@settings(max_examples=300)
@given(node=trees())
def test_a_parents_progress_follows_its_children(node):
    value = rollup.rolled(node)
    live = [c for c in node.children if not c.dropped]
    assert 0 <= value <= 100
    if not live:
        assert value == node.progress
    else:
        values = [rollup.rolled(c) for c in live]
        assert min(values) <= value <= max(values)
        assert (value == 100) == all(v == 100 for v in values)


def test_progress_with_evidence_rolls_up_and_finishes_the_parent(tree, council):
    cw = tree.user("community_worker_1")
    community = tree.communities[0]
    parent = resolution_add(community=community, actor=cw, title="改造小区停车", deadline=TODAY + timedelta(days=30),
                            practical=True)
    a = resolution_add(community=community, actor=cw, title="划线", deadline=TODAY, parent=parent,
                       owner_kind="unit", owner_unit=tree.units["property"])
    b = resolution_add(community=community, actor=cw, title="装充电桩", deadline=TODAY, parent=parent)
    with pytest.raises(ValidationError, match="下级事项"):
        resolution_progress(resolution=parent, actor=cw, text="开始", progress=10)
    with pytest.raises(PermissionDenied):
        resolution_progress(resolution=a, actor=tree.user("dept_handler"), text="不是我的", progress=50)
    resolution_progress(resolution=a, actor=cw, text="完成划线", progress=100)
    resolution_progress(resolution=b, actor=cw, text="已采购", progress=50)
    parent.refresh_from_db()
    assert (parent.progress, parent.status, b.practical) == (75, "open", True)
    resolution_progress(resolution=b, actor=cw, text="已安装", progress=100)
    parent.refresh_from_db()
    assert (parent.progress, parent.status) == (100, "done")


def test_a_dropped_child_no_longer_counts(tree):
    cw = tree.user("community_worker_1")
    parent = resolution_add(community=tree.communities[0], actor=cw, title="整治", deadline=TODAY)
    a = resolution_add(community=tree.communities[0], actor=cw, title="甲", deadline=TODAY, parent=parent)
    b = resolution_add(community=tree.communities[0], actor=cw, title="乙", deadline=TODAY, parent=parent)
    resolution_progress(resolution=a, actor=cw, text="好了", progress=100)
    with pytest.raises(ValidationError):
        resolution_drop(resolution=b, actor=cw, reason="")
    resolution_drop(resolution=b, actor=cw, reason="并入区级项目")
    parent.refresh_from_db()
    assert (parent.progress, parent.status) == (100, "done")


def test_the_next_meeting_opens_with_open_resolutions_and_ready_topics(tree, council, residents):
    cw = tree.user("community_worker_1")
    first = meeting_plan(series=council, actor=cw, starts_at=timezone.now(), place="社区会议室")
    open_one = resolution_add(community=tree.communities[0], actor=cw, title="修路灯", deadline=TODAY, meeting=first)
    done_one = resolution_add(community=tree.communities[0], actor=cw, title="清杂物", deadline=TODAY, meeting=first)
    resolution_progress(resolution=done_one, actor=cw, text="清完了", progress=100)
    topic = topic_propose(user=residents[0], area=tree.communities[0], title="增设晾衣架", body="楼下没地方晾被子")
    from grassroots.deliberation.models import Rules
    Rules.objects.create(community=tree.communities[0], topic_threshold=3)
    assert Topic.objects.get(pk=topic.pk).supports == 1  # the proposer's own
    with pytest.raises(ValidationError, match="支持过"):
        topic_support(topic=topic, user=residents[0])
    topic_support(topic=topic, user=residents[1])
    with pytest.raises(ValidationError, match="支持过"):
        topic_support(topic=topic, user=residents[1])
    assert Topic.objects.get(pk=topic.pk).status == "gathering"
    topic_support(topic=topic, user=residents[2])
    assert Topic.objects.get(pk=topic.pk).status == "ready"
    second = meeting_plan(series=council, actor=cw, starts_at=later(7), place="社区会议室")
    items = list(second.agenda.values_list("kind", "resolution_id", "topic_id"))
    assert items == [(AgendaItem.Kind.CARRIED, open_one.pk, None), (AgendaItem.Kind.TOPIC, None, topic.pk)]
    assert Topic.objects.get(pk=topic.pk).status == "agenda"
    assert Resolution.objects.get(pk=open_one.pk).status == "open"


def test_only_residents_of_the_place_propose_and_support(tree, residents):
    with pytest.raises(PermissionDenied):
        topic_propose(user=tree.user("nobody"), area=tree.communities[0], title="x", body="y")
    with pytest.raises(PermissionDenied):  # resident of grid A proposing for grid B
        topic_propose(user=residents[0], area=tree.grid("B"), title="x", body="y")
    topic = topic_propose(user=residents[0], area=tree.grid("A"), title="<script>x</script>", body="y" * 10)
    assert topic.proposer_label.startswith("居民 ")
    with pytest.raises(PermissionDenied):
        topic_support(topic=topic, user=residents[-1])  # lives in grid B
    with pytest.raises(ValidationError, match="最多60个字"):
        topic_propose(user=residents[0], area=tree.grid("A"), title="长" * 61, body="y")
