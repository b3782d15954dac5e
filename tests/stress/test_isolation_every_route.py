"""Commune A's staff and strangers never read or change anything of commune B — on every
route of every service, API and pages, with or without a commune in the URL.

The routes come from the five apps' url_maps, so a new route anywhere is covered without
editing this test; its URL is filled with B's real ids from the scenario (a placeholder the
test does not know fails the test: a new kind of route needs a decision here). Commune B
has data in every service (plan, survey with free-text answers, events with residents'
registrations and feedback, partners with contact persons, reporting fed over the broker);
each piece carries a unique marker that must never appear in what A's staff or a stranger
receives (body or headers), and every service's database must be the same afterwards.

Open by design, and so only checked for what is private: residents' pages and their API
(survey answering, agenda, registration, feedback, published results) — a resident may read
B's agenda; holding a personal link (a registration's) shows that one registration. Their
writes are sent without a form token or a body: registering or answering is open to all.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from tests.stress.platform import (SERVICES, Platform, Seeded, fill, placeholders, routes,
                                   seed_commune, shown)

# Routes anyone may call, with the markers of B they may show (by design) besides B's agenda.
OPERATIONAL = {"healthz", "readyz", "metrics_endpoint", "docs", "api-docs.openapi_json", "static",
               "service_assets"}
RESIDENTS = {
    "public.get_public_survey": {"survey_token"}, "public.answer": set(), "public.public_results": set(),
    "surveys_public.answer": {"survey_token"}, "surveys_public.thanks": {"survey_token"},
    "surveys_public.results": {"survey_token"},
    "events_public.agenda": set(), "events_public.commune_calendar": set(), "events_public.event": set(),
    "events_public.event_calendar": set(), "events_public.feedback": {"feedback_token"},
    # the resident's own registration, through the personal link they were given
    "events_public.registration": {"registration_token", "resident_1", "contact_1"},
    "events_public.cancel_registration": {"registration_token"},
    "programme_pages.login": set(), "auth.issue_token": set(), "programme_pages.logout": set(),
}
PUBLIC = OPERATIONAL | set(RESIDENTS)
REGION = re.compile(r"/region(/|$)")
REGIONAL_ENDPOINTS = {"accounts.Accounts", "partners_pages.regional_edit"}  # the region's own, not a commune's


def regional(endpoint: str, rule) -> bool:
    """A route for the region's staff only: every commune's figures, accounts, the catalogue's edits."""
    return bool(REGION.search(rule.rule)) or endpoint in REGIONAL_ENDPOINTS
# URL arguments that name one of B's resources (the others choose among fixed values).
ID_ARGUMENTS = {"objective_id", "action_id", "survey_id", "event_id", "series_id", "registration_id",
                "partner_id", "contact_id", "note_id", "link_id", "import_id"}
MINIMUM_ROUTES = {"programme": 25, "surveys": 30, "events": 30, "partners": 45, "reporting": 15}
FORM = {"title": "Intrus", "name": "Intrus", "reason": "Intrus", "summary": "Intrus", "status": "active",
        "head_count": "1", "satisfaction": "3", "met_someone_new": "true", "kind": "parish", "done": "true"}


@pytest.fixture(scope="module")
def platform(module_env, broker):
    """One platform for the module: every test here only reads (and proves it)."""
    built = Platform.create(module_env, broker.bootstrap_servers)
    yield built
    built.close()


@pytest.fixture(scope="module")
def b(platform) -> Seeded:
    return seed_commune(platform, platform.b, "coordinator_b")


@pytest.fixture(scope="module")
def values(platform, b) -> dict:
    return placeholders(platform, b)


# -- the routes --------------------------------------------------------------------------------
# -- the requests ------------------------------------------------------------------------------
def example(schema: dict, spec: dict):
    """A small valid value for an OpenAPI schema: what a well-behaved client would send."""
    if "$ref" in schema:
        return example(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], spec)
    if "enum" in schema:
        return schema["enum"][0]
    kind, form = schema.get("type"), schema.get("format")
    if kind == "object":
        return {key: example(sub, spec) for key, sub in schema.get("properties", {}).items()
                if key in schema.get("required", ())}
    if kind == "array":
        return [example(schema["items"], spec)] if schema.get("minItems") else []
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if form == "date":
        return "2026-03-02"
    if form == "date-time":
        return "2026-06-01T17:00:00+02:00"
    if form == "email":
        return "intrus@example.ch"
    return "Intrus"[: schema.get("maxLength", 6)]


def json_bodies(platform: Platform) -> dict:
    """(service, rule, method) -> a valid-looking JSON body from each app's OpenAPI document."""
    bodies = {}
    for service in SERVICES:
        spec = platform.client(service).get(f"/{service}/openapi.json").get_json()
        for path, operations in spec["paths"].items():
            rule = re.sub(r"\{(\w+)\}", r"<\1>", path)
            for method, operation in operations.items():
                if method not in ("post", "put", "patch", "delete"):
                    continue
                content = (operation.get("requestBody") or {}).get("content", {})
                if "application/json" in content:
                    bodies[(service, rule, method.upper())] = example(content["application/json"]["schema"], spec)
    return bodies


def plain(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"<\1>", rule.rule)


def send(platform: Platform, service: str, endpoint: str, rule, method: str, url: str, who: str | None,
         bodies: dict):
    """The response, and the page a signed-in browser is sent on to (its flash messages too)."""
    api, public = "/api/" in rule.rule, endpoint in PUBLIC
    client = platform.client(service, None if api else who)
    headers = platform.headers(who) if api and who else {}
    if method == "GET" or public:
        response = client.open(url, method=method, headers=headers)
    elif api:
        response = client.open(url, method=method, headers=headers,
                               json=bodies.get((service, plain(rule), method), {}))
    else:
        response = client.open(url, method=method, data={**FORM, "csrf_token": platform.csrf(service, client)})
    then = None
    if response.status_code in (302, 303) and who and response.headers["Location"].startswith(f"/{service}/"):
        then = client.get(response.headers["Location"], headers=headers)
    return response, then


# -- what must not show ------------------------------------------------------------------------
def forbidden(b: Seeded, endpoint: str) -> dict[str, str]:
    """B's markers a route of this kind must not show to A's staff or a stranger."""
    allowed = set(RESIDENTS.get(endpoint, ())) | (set(b.public) if endpoint in RESIDENTS else set())
    return {name: text for name, text in {**b.private, **b.public}.items() if name not in allowed}


def expected_refusal(endpoint: str, rule, method: str, who: str | None, commune_in_url: bool) -> tuple:
    """The statuses a caller without rights over B must get on a route (None: any but 5xx)."""
    api = "/api/" in rule.rule
    if endpoint in PUBLIC:
        return None
    if who is None:
        return (401,) if api else (302, 401)
    if regional(endpoint, rule):
        return (403,)
    if commune_in_url:
        return (403, 404)
    return (403,) if method != "GET" else None


# -- the sweep ---------------------------------------------------------------------------------
def sweep(platform: Platform, b: Seeded, values: dict, bodies: dict, who: str | None, *, writes_only=False,
          commune: str | None = None, only_with_ids: bool = False) -> tuple[list[str], Counter]:
    """Every route as `who`, aimed at B; returns the problems found and the routes covered."""
    problems, covered = [], Counter()
    by_service = defaultdict(list)
    for service, endpoint, rule, method in routes(platform):
        if writes_only and method == "GET":
            continue
        if only_with_ids and not (ID_ARGUMENTS & set(rule.arguments)):
            continue
        by_service[service].append((endpoint, rule, method))
    for service, targets in by_service.items():
        before = platform.snapshot(service)
        for endpoint, rule, method, url in ((*target, url) for target in targets
                                            for url in fill(values, service, target[0], target[1], commune)):
            response, then = send(platform, service, endpoint, rule, method, url, who, bodies)
            covered[service, rule.rule] += 1
            expected = expected_refusal(endpoint, rule, method, who, "commune" in rule.arguments)
            if commune is not None and "commune" in rule.arguments and expected is not None:
                # A's own commune with B's ids: not found (a viewer: not allowed to write at all);
                # a page may say so in a flash message on the page it sends back to.
                expected = (403, 404, 422) if "/api/" in rule.rule else (302, 303, 403, 404)
            if response.status_code >= 500 or (expected and response.status_code not in expected):
                problems.append(f"{who}: {method} {url} answered {response.status_code}, expected {expected}")
            if response.status_code == 302 and who is None and "/api/" not in rule.rule and endpoint not in PUBLIC:
                if "/programme/login" not in response.headers.get("Location", ""):
                    problems.append(f"{who}: {method} {url} redirected to {response.headers.get('Location')}")
            leaked = shown(response, forbidden(b, endpoint)) | shown(then, forbidden(b, endpoint))
            if leaked:
                problems.append(f"{who}: {method} {url} showed B's {sorted(leaked)}")
        after = platform.snapshot(service)
        changed = sorted(table for table in after if after[table] != before.get(table))
        if changed:
            problems.append(f"{who} on {service} routes changed {changed} (requests: "
                            f"{[(m, r.rule) for _, r, m in targets if m != 'GET']})")
    return problems, covered


def test_commune_a_and_strangers_neither_read_nor_change_anything_of_b_on_any_route(platform, b, values):
    bodies = json_bodies(platform)
    problems, covered, before = [], Counter(), platform.snapshots()
    for who, options in (("coordinator_a", {}), ("viewer_a", {"writes_only": True}), (None, {}),
                         ("coordinator_a", {"commune": platform.a, "only_with_ids": True}),
                         ("viewer_a", {"commune": platform.a, "only_with_ids": True, "writes_only": True})):
        found, seen = sweep(platform, b, values, bodies, who, **options)
        problems += found
        covered += seen
    assert not problems, "\n".join(problems)
    assert platform.snapshots() == before  # no request changed another service's database either
    per_service = Counter(service for service, _ in covered)
    assert all(per_service[s] >= minimum for s, minimum in MINIMUM_ROUTES.items()), per_service
    assert sum(covered.values()) >= 500, sum(covered.values())
    print(f"\nisolation: {len(covered)} routes, {sum(covered.values())} requests; per service {dict(per_service)}")


def test_the_same_urls_show_b_to_its_own_staff_so_the_markers_are_really_aimed_at(platform, b, values):
    """Every marker is found by B's coordinator (or the region, for the region's routes) on
    the very URLs the sweep uses; every read route answers them."""
    seen, statuses = set(), {}
    markers = {**b.private, **b.public}
    for service, endpoint, rule, method in routes(platform):
        if method != "GET":
            continue
        who = "regional" if regional(endpoint, rule) else "coordinator_b"
        for url in fill(values, service, endpoint, rule):
            response = platform.client(service, who if "/api/" not in rule.rule else None).get(
                url, headers=platform.headers(who) if "/api/" in rule.rule else {})
            statuses[url] = response.status_code
            seen |= shown(response, markers)
    assert set(markers) - seen == set(), f"never seen by B's own staff: {set(markers) - seen}"
    assert [url for url, status in statuses.items() if status >= 400] == [], statuses


def test_only_regional_staff_see_the_region(platform, b):
    client = platform.client("reporting")
    for path in ("/reporting/api/v1/region/overview", "/reporting/api/v1/region/export",
                 "/reporting/api/v1/region/gates"):
        assert client.get(path, headers=platform.headers("regional")).status_code == 200, path
        for who in ("coordinator_a", "viewer_a", "coordinator_b"):
            assert client.get(path, headers=platform.headers(who)).status_code == 403, (who, path)
    overview = client.get("/reporting/api/v1/region/overview", headers=platform.headers("regional")).get_data(as_text=True)
    assert b.commune in overview
    for who in ("coordinator_a", "viewer_a"):
        assert platform.client("reporting", who).get("/reporting/region").status_code == 403, who
    assert platform.client("reporting", "regional").get("/reporting/region").status_code == 200
