"""Other apps' steps after a case is received: they run in order, share a context, and a failing one
loses nothing."""

import pytest

from grassroots.cases import hooks, services
from grassroots.cases.models import Case


@pytest.fixture
def steps():
    saved = list(hooks._steps)
    hooks._steps.clear()
    yield hooks
    hooks._steps[:] = saved


def _receive(tree, key):
    return services.case_receive(title="楼道灯坏了", body="3栋2单元楼道灯不亮", channel="resident_web",
                                 area=tree.grid("A"), intake_key=key)


@pytest.mark.django_db
def test_steps_run_in_order_with_one_context_and_a_failure_loses_nothing(tree, steps):
    seen = []

    def first(case, context):
        seen.append(("first", case.code))
        context["note"] = "from first"

    def broken(case, context):
        Case.objects.filter(pk=case.pk).update(title="改坏了")
        raise RuntimeError("boom")

    def last(case, context):
        seen.append(("last", context.get("note"), context.get("failed")))
        Case.objects.filter(pk=case.pk).update(address="汉江路1号")
        context["changed"] = True

    steps.on_case_received(last, order=30)
    steps.on_case_received(broken, order=20)
    steps.on_case_received(first, order=10)
    case, created = _receive(tree, "k1")
    assert created
    assert seen == [("first", case.code), ("last", "from first", [f"{broken.__module__}.{broken.__qualname__}"])]
    assert case.title == "楼道灯坏了" and case.address == "汉江路1号"  # the broken step rolled back alone
    assert Case.objects.get(pk=case.pk).title == "楼道灯坏了"


@pytest.mark.django_db
def test_steps_do_not_run_for_a_repeated_submit(tree, steps):
    calls = []
    steps.on_case_received(lambda case, context: calls.append(case.pk))
    first, _ = _receive(tree, "same")
    again, created = _receive(tree, "same")
    assert not created and again.pk == first.pk and calls == [first.pk]


@pytest.mark.django_db
def test_a_step_gets_what_its_reads_prepared_and_reads_itself_when_they_failed(tree, steps):
    got = []

    def reads(case):
        if case.title.startswith("坏"):
            raise RuntimeError("the reads broke")
        return f"read {case.code}"

    def step(case, context, value):
        got.append(value)

    steps.on_case_received(step, prepare=reads)
    case, _ = _receive(tree, "p1")  # the request mode: nothing prepared, the step's reads run inside
    assert got == [f"read {case.code}"]
    prepared = steps.prepare_after_receive(case)
    assert prepared == {f"{step.__module__}.{step.__qualname__}": f"read {case.code}"}
    steps.run_after_receive(case, {f"{step.__module__}.{step.__qualname__}": "given"})
    assert got[-1] == "given"  # the worker's value is used, not read again
    case.title = "坏了的读"
    assert steps.prepare_after_receive(case) == {}  # a failing read is left out …
    context = steps.run_after_receive(case, {})
    assert "failed" in context and got[-1] == "given"  # … and the step, reading for itself, fails alone
