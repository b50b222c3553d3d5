"""Training: the cold start from the shipped sample, the figures stored with each model, the store."""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from grassroots.routing import store
from grassroots.routing.models import RoutingModel


@pytest.mark.django_db
def test_cold_start_trains_from_the_shipped_sample_and_stores_its_figures(trained):
    assert trained["source"] == RoutingModel.Source.COLD_START
    assert trained["details"]["examples"]["sample"] == 244
    assert trained["details"]["examples"]["taxonomy"] > 0
    ev = trained["evaluation"]
    assert ev["test_size"] >= 40 and 0.5 < ev["accuracy"] <= 1 and 0 < ev["macro_f1"] <= 1
    assert [row["threshold"] for row in ev["thresholds"]][:2] == [0.5, 0.6]
    row = RoutingModel.objects.get(kind=RoutingModel.Kind.CATEGORY, active=True)
    assert row.version == trained["version"] and row.train_size == trained["train_size"]
    assert "城乡建设" in row.labels and len(row.labels) == 7  # the sample's first-level classes
    active = store.active()
    assert active.classifier_version == row.version
    top = active.classifier.predict(["小区垃圾站臭气熏天，环卫工人一周没来清运"], k=3)[0]
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]


@pytest.mark.django_db
@override_settings(GRASSROOTS_ROUTING_COLD_START_BELOW=0, GRASSROOTS_ROUTING_MIN_PER_CLASS=2)
def test_routing_train_json_prints_one_object_and_replaces_the_active_model(tree, new_case, capsys):
    from grassroots.cases.models import Case

    from .helpers import TEXTS, level1

    for i, (name, texts) in enumerate(TEXTS.items()):
        for j, text in enumerate(texts + [f"{t}，请尽快处理" for t in texts]):
            case = new_case("A", title=text, body=text, category=level1(name), intake_key=f"k{i}-{j}")
            Case.objects.filter(pk=case.pk).update(status="closed", closed_at=case.created_at,
                                                   assigned_unit=tree.units["property"], rating="satisfied")
    call_command("routing_train", "--json")
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["source"] == RoutingModel.Source.HISTORY and first["details"]["examples"] == {"case": 36}
    assert first["unit_router"]["train_size"] == 36
    call_command("routing_train")
    out = capsys.readouterr().out
    assert "留出评估" in out and "准确率" in out and "承办单位推荐：36 件已办结诉求" in out
    assert RoutingModel.objects.filter(kind=RoutingModel.Kind.CATEGORY).count() == 2
    active = RoutingModel.objects.get(kind=RoutingModel.Kind.CATEGORY, active=True)
    assert active.version != first["version"] and len(active.labels) == 3
    assert store.active().classifier_version == active.version
    router = store.active().router
    unit = router.suggest(category_code=level1("城乡建设").code, place_code=tree.grid("A").code)
    assert unit and unit[0].name == "阳光物业" and unit[0].cases == 12
