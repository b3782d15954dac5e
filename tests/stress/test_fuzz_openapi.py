"""Every JSON route of every service, fuzzed from the service's own OpenAPI document.

schemathesis reads /<service>/openapi.json from the app itself and calls the WSGI app
directly. Staff routes are called with a coordinator's token for commune A, so the
requests get past the guards and reach the handlers; the public routes (answering a survey
by its token, asking for a token) are called without one. Path parameters are either what
the fuzzer made or, as often, the id of a real record of commune A, so the handlers get to
work on real rows too.

Checks on every response: never a 5xx; the status code documented; the content type
documented; the body valid against the documented schema; and an error (4xx) is a JSON
body whose message a person can read.

Bounded and repeatable: ASP_FUZZ_EXAMPLES examples per route and generation phase (default
below, about a minute and a half for the file on a 2-core machine), derandomized from
ASP_FUZZ_SEED. `ASP_FUZZ_EXAMPLES=500 pytest tests/stress/test_fuzz_openapi.py` for a long run.

Events' public registration is an HTML form, not a JSON route: it is fuzzed with
hypothesis at the end of this file (no OpenAPI document to read it from).
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.stress.five_services import SERVICES, UNLIMITED, Platform

EXAMPLES = int(os.environ.get("ASP_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("ASP_FUZZ_SEED", "20220901"))
PUBLIC = r"/api/v1/(public/|auth/token$)"  # the operations documented with security: []
TALLY: dict[str, dict[str, int]] = {}


@schemathesis.check
def readable_error(ctx, response, case):
    """Our own contract (DESIGN §4): a refusal says what and why, as JSON, for a person."""
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], \
            f"{response.status_code} without a readable message: {response.text[:300]}"


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, readable_error]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), print_blob=True)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis 4.32.5's from_fixture reads and renames `Node._nodeid`, which pytest 9.2
    # no longer has (its `nodeid` is a property): give it the attribute it expects.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="module", autouse=True)
def tally():
    """What the fuzzing covered, printed at the end of the module (pytest -s, or in CI logs)."""
    yield TALLY
    for service, counts in sorted(TALLY.items()):
        print(f"\nfuzzed {service}: {counts['operations']} operations, {counts['cases']} cases, "
              f"answers {dict(sorted(counts.get('statuses', {}).items()))}")


@pytest.fixture(scope="module")
def platform(module_env) -> Platform:
    return Platform(module_env, app_environment=UNLIMITED).seed()


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
        # examples, boundary values (coverage) and random fuzzing; no stateful phase (it
        # needs links between operations that the documents do not declare)
        "phases": {"stateful": {"enabled": False}},
    })


def _mixing_in_real_ids(platform: Platform):
    """Per path parameter: the fuzzer's value or, as often, the real one of commune A."""
    real = {"commune": platform.commune_a, "number": 2, **platform.known}
    if "survey_id" in real:
        real["survey_id"] = platform.known["survey_id"]

    def flatmap_path_parameters(context, path_parameters):
        return st.fixed_dictionaries({
            name: st.sampled_from([value, real[name]]) if name in real else st.just(value)
            for name, value in (path_parameters or {}).items()})
    return flatmap_path_parameters


def _schema(platform: Platform, service: str):
    schema = schemathesis.openapi.from_wsgi(f"/{service}/openapi.json", platform.app(service),
                                            config=_config())
    schema.hook(_mixing_in_real_ids(platform))
    return schema


@pytest.fixture(scope="module", params=SERVICES)
def staff_api(request, platform):
    return _schema(platform, request.param)


@pytest.fixture(scope="module", params=["programme", "surveys"])
def public_api(request, platform):
    return _schema(platform, request.param)


staff_schema = schemathesis.pytest.from_fixture("staff_api").exclude(path_regex=PUBLIC)
public_schema = schemathesis.pytest.from_fixture("public_api").include(path_regex=PUBLIC)


def _count(case, response) -> None:
    tally = TALLY.setdefault(case.operation.path.split("/")[1], {"operations": 0, "cases": 0})
    tally["cases"] += 1
    tally.setdefault("seen", set()).add(case.operation.label)
    tally["operations"] = len(tally["seen"])
    family = f"{response.status_code // 100}xx"
    tally.setdefault("statuses", {}).setdefault(family, 0)
    tally["statuses"][family] += 1


@staff_schema.parametrize()
@FUZZ_SETTINGS
def test_a_coordinator_s_requests_never_break_a_staff_route(case, platform):
    response = case.call_and_validate(headers=platform.headers("coordinator_a"), checks=CHECKS)
    _count(case, response)


@public_schema.parametrize()
@FUZZ_SETTINGS
def test_anyone_s_requests_never_break_a_public_route(case, platform):
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    response = case.call_and_validate(checks=CHECKS)
    _count(case, response)


# -- events: the public registration form (HTML) -------------------------------------------------
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400)
REGISTRATION_FORM = st.fixed_dictionaries({}, optional={
    "name": FORM_TEXT, "contact": FORM_TEXT,
    "party_size": st.one_of(FORM_TEXT, st.integers(-10**12, 10**12).map(str)),
    "waiting_list": st.sampled_from(["", "1", "on", "true", "yes", "\x00"]),
    "surprise": FORM_TEXT,
})


@pytest.fixture(scope="module")
def open_event(platform) -> str:
    """An event of its own, open for registration: the staff fuzzing may have cancelled the
    seeded one."""
    starts = datetime.now(timezone.utc) + timedelta(days=10)
    response = platform.client("events").post(f"{platform.api('events')}/events", headers=platform.headers(),
                                               json={"kind": "papotage", "title": "Papotage du marché",
                                                     "starts_at": starts.isoformat(),
                                                     "ends_at": (starts + timedelta(hours=1)).isoformat(),
                                                     "place_name": "Place du village", "phase": 2,
                                                     "registration_required": True})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@settings(max_examples=EXAMPLES * 8, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(form=REGISTRATION_FORM, target=st.sampled_from(["open", "unknown", "other-commune"]))
def test_the_public_registration_form_answers_any_input_with_a_page_not_an_error(platform, open_event,
                                                                                 form, target):
    client = platform.client("events")
    page = client.get(f"/events/c/{platform.commune_a}/e/{open_event}")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    event_id = open_event if target != "unknown" else "00000000-0000-0000-0000-000000000000"
    commune = platform.commune_b if target == "other-commune" else platform.commune_a
    response = client.post(f"/events/c/{commune}/e/{event_id}", data={"csrf_token": token, **form},
                           headers={"Accept": "text/html,application/xhtml+xml"})  # as a browser
    assert response.status_code in (303, 404, 409, 422), (form, response.status_code)
    if target != "open":
        assert response.status_code == 404
    if response.status_code != 303:
        assert response.mimetype == "text/html"
    tally = TALLY.setdefault("events (public registration form)", {"operations": 1, "cases": 0})
    tally["cases"] += 1


def test_values_the_database_cannot_hold_are_refused_not_answered_500(platform):
    """Found by this fuzzing on PostgreSQL, which refuses what SQLite takes: an id beyond its
    integers, a NUL character in a text. Both are the request's fault: 422, nothing stored."""
    surveys = platform.client("surveys")
    beyond = surveys.get(f"{platform.api('surveys')}/surveys/18066452642272200/results",
                         headers=platform.headers())
    assert beyond.status_code in (404, 422), beyond.get_data(as_text=True)
    partners = platform.client("partners")
    nul = partners.post(f"{platform.api('partners')}/partners", json={"name": "Club\x00", "kind": "club"},
                        headers=platform.headers())
    assert nul.status_code in (201, 422), nul.get_data(as_text=True)  # SQLite stores it; PostgreSQL cannot
    assert nul.status_code != 500
