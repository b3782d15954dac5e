"""HTML forms and pages under hostile input: CSRF on every form, escaping of every stored
text, and the security headers of every response.

The form routes and the pages are read from the apps' own URL maps, so a new form or page
is covered without editing this file. HSTS is not the apps' business: it belongs to the TLS
front end (deploy/nginx/asp.conf listens on plain HTTP behind the host's TLS terminator; the
Kubernetes ingress terminates TLS and ingress-nginx sends HSTS there by default).
"""
from __future__ import annotations

import re
from unittest import mock

import pytest
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text

from tests.stress.five_services import SERVICES, UNLIMITED, Platform
from tests.support.browser import live_server
from tests.surveys.conftest import VALID_ANSWERS
from tests.support.snapshots import database_snapshot

SCRIPT = '<script>alert("xss-script")</script>'
ATTRIBUTE = '"><img src=x onerror=alert("xss-img")>'
RAW = ("<script>alert(", "<img src=x onerror")
ESCAPED = ("&lt;script&gt;alert(", "&lt;img src=x onerror")
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def platform(module_env) -> Platform:
    platform = Platform(module_env, app_environment=UNLIMITED).seed()
    _store_hostile_texts(platform)
    return platform


def _store_hostile_texts(platform: Platform) -> None:
    """Scripts in every kind of text a person types, through the services' own APIs."""
    post = platform._post
    programme, events = platform.api("programme"), platform.api("events")
    partners, surveys = platform.api("partners"), platform.api("surveys")
    theme = post("programme", f"{programme}/themes", {"title": SCRIPT, "description": ATTRIBUTE})
    objective = post("programme", f"{programme}/objectives", {"title": ATTRIBUTE + SCRIPT,
                                                               "theme_id": theme["id"]})
    post("programme", f"{programme}/actions", {"title": SCRIPT, "owner": ATTRIBUTE,
                                               "objective_id": objective["id"]})
    partner = post("partners", f"{partners}/partners", {"name": SCRIPT + ATTRIBUTE, "kind": "association",
                                                        "address": ATTRIBUTE})
    post("partners", f"{partners}/partners/{partner['id']}/contacts", {"name": SCRIPT, "function": ATTRIBUTE})
    post("partners", f"{partners}/partners/{partner['id']}/notes",
         {"happened_on": "2026-02-02", "summary": SCRIPT + ATTRIBUTE})
    event = post("events", f"{events}/events", {
        "kind": "forum_citoyen", "title": SCRIPT + ATTRIBUTE, "description": ATTRIBUTE,
        "starts_at": "2031-06-13T16:00:00+02:00", "ends_at": "2031-06-13T18:00:00+02:00",
        "place_name": ATTRIBUTE, "place_address": SCRIPT, "phase": 3, "registration_required": True,
        "partner_ids": []})
    post("events", f"{events}/events/{event['id']}/registrations", {"name": SCRIPT, "contact": ATTRIBUTE})
    survey = platform.known["survey_id"]
    token = platform.known["token"]
    answered = platform.client("surveys").post(f"/surveys/api/v1/public/{token}/responses",
                                               json={"answers": {**VALID_ANSWERS, "wishes": SCRIPT + ATTRIBUTE}})
    assert answered.status_code == 201, answered.get_json()
    with platform.runtimes["events"].engine.connect() as connection:  # the resident's own link
        registration_token = connection.execute(text(
            "SELECT token FROM registrations WHERE token IS NOT NULL ORDER BY id DESC")).scalars().first()
    platform.known["registration_token"] = registration_token
    platform.deliver()  # the partner's name and the event's title travel to events and reporting
    platform.known.update(xss_partner=partner["id"], xss_event=event["id"], xss_survey=survey)


# -- URLs from the apps' own maps --------------------------------------------------------
def _values(platform: Platform, service: str, xss: bool = False) -> dict[str, str]:
    known = platform.known
    values = {
        "commune": platform.commune_a, "number": "2", "key": "groupe_de_travail", "transition": "start",
        "action_id": str(known["action_id"]), "kind": "themes", "survey_id": str(known["survey_id"]),
        "event_id": str(known["xss_event" if xss else "event_id"]),
        "registration_id": str(known["registration_id"]),
        "partner_id": str(known["xss_partner" if xss else "partner_id"]),
        "contact_id": str(known["contact_id"]), "note_id": str(known["note_id"]), "link_id": "1",
        "import_id": "1", "file_format": "csv", "filename": "x.css",
        "token": str(known["token"] if service == "surveys" else known.get("registration_token", "x")),
    }
    if service == "surveys":
        values["transition"] = "close"
    return values


def _path(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def form_routes(app) -> list:
    """Every HTML route that takes a state-changing method (the JSON API uses bearer tokens)."""
    return [rule for rule in app.url_map.iter_rules()
            if rule.methods & MUTATING and "/api/" not in rule.rule]


def page_routes(app) -> list:
    skip = ("/static/", "/assets/", "openapi.json", "/metrics", "healthz", "readyz", ".ics", ".xlsx",
            "export.")
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and "/api/" not in rule.rule and not any(s in rule.rule for s in skip)]


# -- CSRF ----------------------------------------------------------------------------------
@pytest.fixture
def csrf_refusals():
    """Each CSRFError flask-wtf raised in this test: proof the refusal came from the CSRF check
    and not from something else answering 400."""
    raised = []
    original = CSRFProtect.protect

    def recording(self):
        try:
            return original(self)
        except CSRFError as error:
            raised.append(error)
            raise
    with mock.patch.object(CSRFProtect, "protect", recording):
        yield raised


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("csrf", ["missing", "wrong"])
def test_every_form_refuses_a_post_without_its_csrf_token_and_changes_nothing(platform, service, csrf,
                                                                             csrf_refusals):
    app = platform.app(service)
    routes = form_routes(app)
    if service == "reporting":
        assert routes == [], "reporting has forms now: this test covers them, nothing to change"
        return
    assert routes, f"no HTML form found in {service}: the enumeration is broken"
    engine = platform.runtimes[service].engine
    before = database_snapshot(engine)
    for rule in routes:
        with platform.signed_in(service, "regional") as client:  # no guard stops it before CSRF
            client.get(f"/{service}/")  # a session with a real CSRF token of its own
            for method in sorted(rule.methods & MUTATING):
                data = {"title": "Attaque", "name": "Attaque", "email": "region@test.example",
                        "password": "x", "status": "active", "done": "true", "summary": "x"}
                if csrf == "wrong":
                    data["csrf_token"] = "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.forged"
                count = len(csrf_refusals)
                response = client.open(_path(rule, _values(platform, service)), method=method, data=data,
                                       headers={"Accept": "text/html"})
                assert response.status_code == 400, (rule.rule, method, response.status_code)
                assert len(csrf_refusals) == count + 1, f"{method} {rule.rule}: refused, but not by CSRF"
    assert database_snapshot(engine) == before


def test_the_same_form_with_its_token_does_change_things(platform):
    """The control: the check above would see a change, and a real token gets through."""
    engine = platform.runtimes["programme"].engine
    before = database_snapshot(engine)
    with platform.signed_in("programme", "coordinator_a") as client:
        plan = client.get(f"/programme/communes/{platform.commune_a}/plan").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', plan).group(1)
        response = client.post(f"/programme/communes/{platform.commune_a}/plan/themes",
                               data={"csrf_token": token, "title": "Entraide"})
    assert response.status_code == 302
    assert database_snapshot(engine) != before


# -- escaping ------------------------------------------------------------------------------
PAGES_SHOWING_THEM = [  # (service, path template): pages that must show the stored texts
    ("programme", "/programme/communes/{commune}/plan"),
    ("partners", "/partners/communes/{commune}"),
    ("partners", "/partners/communes/{commune}/partners/{xss_partner}"),
    ("events", "/events/communes/{commune}"),
    ("events", "/events/communes/{commune}/events/{xss_event}"),
    ("events", "/events/c/{commune}"),
    ("events", "/events/c/{commune}/e/{xss_event}"),
    ("surveys", "/surveys/communes/{commune}/surveys/{xss_survey}/results"),
]


@pytest.mark.parametrize("service,template", PAGES_SHOWING_THEM)
def test_a_stored_script_comes_back_escaped_where_it_is_shown(platform, service, template):
    path = template.format(commune=platform.commune_a, **platform.known)
    with platform.signed_in(service, "coordinator_a") as client:
        response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert not [raw for raw in RAW if raw in html], path
    assert [escaped for escaped in ESCAPED if escaped in html], f"{path} does not show the stored text"


@pytest.mark.parametrize("service", SERVICES)
def test_no_page_of_any_service_shows_a_stored_script_raw(platform, service):
    """Every page of the app (from its URL map), on the records holding the scripts."""
    app = platform.app(service)
    values = _values(platform, service, xss=True)
    checked = 0
    for who in ("coordinator_a", "regional"):
        with platform.signed_in(service, who) as client:
            for rule in page_routes(app):
                response = client.get(_path(rule, values), headers={"Accept": "text/html"})
                if response.mimetype != "text/html":
                    continue
                html = response.get_data(as_text=True)
                assert not [raw for raw in RAW if raw in html], (who, rule.rule)
                checked += 1
    assert checked >= 4, f"only {checked} pages of {service} were read"


@pytest.mark.browser
def test_a_stored_script_never_runs_in_a_real_browser(platform, page):
    """The partner's file and the public event page, in headless Chromium: no alert, no script."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    apps = {f"/{name}": _PrefixKept(platform.app(name), f"/{name}") for name in ("partners", "events")}
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    serializer = platform.app("partners").session_interface.get_signing_serializer(platform.app("partners"))
    cookie = serializer.dumps({"access_token": platform.world.tokens["coordinator_a"]})
    with live_server(DispatcherMiddleware(_not_found, apps)) as base_url:
        page.context.add_cookies([{"name": "asp_session", "value": cookie, "url": base_url}])
        for path in (f"/partners/communes/{platform.commune_a}/partners/{platform.known['xss_partner']}",
                     f"/events/c/{platform.commune_a}/e/{platform.known['xss_event']}"):
            page.goto(base_url + path)
            page.wait_for_load_state("load")
            assert "Attaque" not in page.title()
            shown = page.locator("body").inner_text()
            assert SCRIPT in shown or ATTRIBUTE.strip('"><') in shown, path  # shown as text
            assert page.locator("img[src=x]").count() == 0, path
            assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0, path
    assert dialogs == []


class _PrefixKept:
    """DispatcherMiddleware moves the prefix to SCRIPT_NAME; our apps route on full paths."""

    def __init__(self, app, prefix: str):
        self.app, self.prefix = app, prefix

    def __call__(self, environ, start_response):
        environ["PATH_INFO"] = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        environ["SCRIPT_NAME"] = ""
        return self.app(environ, start_response)


def _not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


# -- security headers ----------------------------------------------------------------------
def _assert_security_headers(response, where: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, where
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "*" not in script_src.group(1), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY" or "frame-ancestors 'none'" in policy, where
    assert headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), where


@pytest.mark.parametrize("service", SERVICES)
def test_every_response_carries_the_security_headers(platform, service):
    """Pages, API answers, errors, files, health: each GET route of the app, and refusals."""
    app = platform.app(service)
    values = _values(platform, service)
    client = platform.client(service)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        for headers in ({}, platform.headers("coordinator_a")):
            try:
                path = _path(rule, values)
            except KeyError:
                path = re.sub(r"<[^>]+>", "1", rule.rule)
            response = client.get(path, headers=headers)
            _assert_security_headers(response, f"GET {path} -> {response.status_code}")
            checked += 1
    for method, path in (("GET", f"/{service}/no-such-page"), ("DELETE", f"/{service}/healthz"),
                         ("POST", f"/{service}/api/v1/communes/{platform.commune_a}/nothing")):
        response = client.open(path, method=method)
        _assert_security_headers(response, f"{method} {path} -> {response.status_code}")
    assert checked > 10
