"""Issue 15: schemathesis over every operation of /api/openapi.json, as every staff role.

For each operation schemathesis generates requests from the schema — valid ones and, as often,
ones that break it (wrong types, out-of-range numbers, missing fields, strings of every kind) — and
each generated request is sent once as each staff role (every role but the resident). Every answer must be no server error and
conform to the schema: a declared status code, a declared content type, a body of the declared
shape. Path ids are half the time those of rows that exist (so handlers get past their 404s), and a
refused write (4xx) must leave no case, event, audit entry or ledger row behind.

Runs in about three minutes per database on two cores; the figures are printed at the end of the
session (``-s`` not needed). ``FUZZ_EXAMPLES`` raises the examples per operation for a longer hunt.
"""

from __future__ import annotations

import os
import re
import time

import pytest
import schemathesis
from django.apps import apps
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from grassroots.accounts.models import Role
from tests.factories import make_user
from tests.fuzz import summary
from tests.fuzz.harness import InProcessApp

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("fuzz")]

# generated requests per operation, each sent as every role: 6 × 10 roles (8 × 7 before the grid leader,
# grid assistant and Party member joined), about the same number of requests and time per operation
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# What the issue asks: no 5xx, and every answer as the schema declares it. negative_data_rejection:
# a request that breaks the schema must be refused with a 4xx. Not run: positive_data_acceptance
# (a valid request may rightly be refused — the role may not act there, the id may name nothing) and
# the checks that re-send requests on their own (ignored_auth, unsupported_method, …): they would
# send requests this run does not count and drop the role's session.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
WRITES = ("cases.Case", "cases.CaseEvent", "core.AuditEntry", "ledger.Transfer", "ledger.Entry")


def staff(tree):
    """A user per staff role, each at the place the role works (the tree has most of them): every role
    of accounts.models.Role but the resident (test_every_staff_role_is_fuzzed keeps it so)."""
    users = {
        "grid_worker": tree.user("grid_worker_A"),
        "grid_leader": make_user("grid_leader", Role.GRID_LEADER, area=tree.grid("A")),
        "grid_assistant": make_user("grid_assistant", Role.GRID_ASSISTANT, area=tree.grid("A")),
        "party_member": tree.user("party_member"),  # 接单 at community 1 (small_world)
        "community_worker": tree.user("community_worker_1"),
        "street_admin": tree.user("street_admin_1"),
        "department_handler": tree.user("dept_handler"),
        "district_admin": tree.user("district_admin"),
        "leader": make_user("leader", Role.LEADER, area=tree.district),
        "party_secretary": make_user("party_secretary", Role.PARTY_SECRETARY, area=tree.communities[0]),
    }
    return users


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def existing_ids() -> list[int]:
    """Ids that name rows: the first few of every table (their ranges differ per database)."""
    ids: set[int] = set()
    for model in apps.get_models():
        if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField"):
            ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:20])
    return sorted(ids)


def writes() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in WRITES}


@pytest.fixture
def small_world(world, new_case):
    """The tree and its people, with cases in every state a handler may meet: reported, accepted,
    dispatched to a unit and to a Party member (接单) of community 1."""
    from grassroots.cases.services import case_accept, case_dispatch

    tree = world.tree
    dispatcher = tree.user("street_admin_1")
    tree.users["party_member"] = make_user("party_member", Role.PARTY_MEMBER, area=tree.communities[0])
    cases = [new_case(grid) for grid in "ABCDEA"]
    for case in cases[:3] + cases[5:]:
        case_accept(case=case, actor=dispatcher)
    case_dispatch(case=cases[1], to_unit=tree.units["dept"], actor=dispatcher)
    case_dispatch(case=cases[5], to_user=tree.users["party_member"], actor=dispatcher)
    return world


def test_every_operation_as_every_staff_role(small_world, figures):
    from grassroots.api.api import api

    app = InProcessApp()
    # Unknown query parameters are ignored, as HTTP APIs do and OpenAPI allows: not sent as "invalid".
    # The session cookie is the harness's (one per role), not a parameter to vary.
    config = schemathesis.Config.from_dict({"generation": {"allow-extra-parameters": False,
                                                           "with-security-parameters": False}})
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=config)
    schema.app = app
    roles = {role: session_cookie(user) for role, user in staff(small_world.tree).items()}
    ids = existing_ids()
    codes = [small_world.tree.district.code, small_world.tree.streets[0].code, small_world.tree.grid("A").code]
    failures: list[str] = []
    counted = {"requests": 0, "operations": 0, "server_errors": 0}
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large, HealthCheck.large_base_example])
        @given(case=strategy, data=st.data())
        def fuzz(case, data):
            for name in list(case.path_parameters or {}):
                if data.draw(st.booleans(), label=f"real {name}"):  # half the time a row that exists
                    real = data.draw(st.sampled_from(codes if name == "code" else ids), label=name)
                    case.path_parameters[name] = real
            for role, cookie in roles.items():
                before = writes() if case.method.upper() == "POST" else None
                point = transaction.savepoint()
                response = case.call(cookies={"sessionid": cookie})
                counted["requests"] += 1
                errors, app.errors[:] = list(app.errors), []
                if response.status_code >= 500 or errors:
                    counted["server_errors"] += 1
                    transaction.savepoint_rollback(point)  # keep the rest of the run on a sound transaction
                    raise AssertionError(f"{role}: {case.method} {case.formatted_path} → "
                                         f"{response.status_code}\n" + "\n".join(errors))
                transaction.savepoint_commit(point)
                if before is not None and 400 <= response.status_code < 500:
                    assert writes() == before, f"{role}: refused {case.formatted_path} wrote {writes()} vs {before}"
                try:
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as exc:  # a BaseExceptionGroup: said as an assertion, with the role
                    raise AssertionError(f"as {role}: {exc}") from None

        try:
            fuzz()
        except Exception as exc:  # every operation is run; the failures are reported together
            failures.append(f"{operation.label}: {exc}"[:3000])
        counted["operations"] += 1

    app.close()
    figures(summary.API, requests=counted["requests"], operations=counted["operations"], roles=len(roles),
            server_errors=counted["server_errors"], failed_operations=len(failures),
            seconds=round(time.monotonic() - started, 1))
    declared = sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())
    assert counted["operations"] == declared
    assert not failures, f"{len(failures)} of {counted['operations']} operations failed:\n\n" + "\n\n".join(failures)
    assert counted["requests"] >= 5000


def test_every_staff_role_is_fuzzed():
    """Every role of the project but the resident's is one of the fuzzer's users: a new role joins them."""
    import inspect

    named = set(re.findall(r'"(\w+)": ', inspect.getsource(staff)))
    assert named == set(Role.values) - {Role.RESIDENT}, set(Role.values) - {Role.RESIDENT} - named
