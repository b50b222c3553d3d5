"""The worker's schedule: a first model once there are cases, then weekly or after enough news."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.routing import services, training
from grassroots.routing.models import RoutingModel, TrainingJob

from .helpers import install_model


@pytest.fixture
def fake_train(monkeypatch):
    calls = []
    monkeypatch.setattr(training, "routing_train", lambda **kw: calls.append(kw) or {"version": "v", "train_size": 1})
    return calls


@pytest.mark.django_db
def test_no_model_and_no_cases_is_not_due_but_the_first_case_makes_it_due(tree, new_case, fake_train):
    assert services.routing_task("w") is False and not TrainingJob.objects.exists()
    new_case("A")
    services._last_check[0] = None
    assert services.routing_task("w") is True
    job = TrainingJob.objects.get()
    assert job.status == "done" and "冷启动" in job.reason and len(fake_train) == 1
    assert services.routing_task("w") is False  # checked a moment ago: not again for a few minutes


@pytest.mark.django_db
def test_a_week_old_model_is_due_a_fresh_one_is_not(tree, new_case):
    install_model()
    new_case("A")
    assert services.training_due() == ""
    RoutingModel.objects.update(trained_at=timezone.now() - timedelta(days=8))
    assert services.training_due() == "距上次训练已满一周"


@pytest.mark.django_db
def test_a_model_an_older_version_wrote_is_no_model_until_retrained(tree, new_case, fake_train):
    """After an upgrade that changed the model format, intake goes on without suggestions (nothing
    fails) and the worker's schedule retrains at once."""
    import pickle

    from grassroots.core.memo import forget
    from grassroots.routing import store

    install_model()
    new_case("A")
    old = pickle.dumps({"format": 2, "vectorizer": None})  # what an older version left in the table
    RoutingModel.objects.filter(kind="category").update(blob=old, version="old-format")
    forget()
    assert store.active().classifier is None
    assert "无法读取" in services.training_due()
    services._last_check[0] = None
    assert services.routing_task("w") is True and len(fake_train) == 1
