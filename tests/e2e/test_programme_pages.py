"""The programme's pages in a real browser (headless Chromium) over real HTTP (waitress):
sign-in, the phase timeline, the plan form, the commune guard and the session cookie."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shared.contracts import topic_of
from tests.support.browser import live_server
from tests.support.kafka import publish_all, read_events

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
FRENCH_MO = Path(__file__).resolve().parents[2] / "shared" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"


@pytest.fixture
def server(world):
    with live_server(world.app()) as base_url:
        yield base_url


def make_account(world, email: str, role: str = "coordinator", communes: list[str] | None = None) -> str:
    from programme.service_layer import handlers
    with world.runtime.unit_of_work() as uow:
        handlers.create_account(uow, email, email.split("@")[0], PASSWORD, role,
                                [world.commune_a] if communes is None else communes)
    return email


@pytest.fixture
def coordinator_a(world) -> str:
    return make_account(world, "coord-a@example.ch")


def sign_in(page, email: str, password: str = PASSWORD):
    """Fill and send the login form already on screen; returns the POST's response."""
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/programme/login" in r.url) as posted:
        page.click("form:has(#password) button[type=submit]")
    page.wait_for_load_state()
    return posted.value


def sticking_out_of_cards(page) -> list[str]:
    """Elements whose right edge passes their card's visible right edge (overflow, not scrolled)."""
    return page.evaluate("""() => [...document.querySelectorAll('.card')].flatMap(card => {
        const edge = card.getBoundingClientRect().right;
        const clipped = getComputedStyle(card).overflowX !== 'visible';
        return clipped ? [] : [...card.querySelectorAll('*')]
            .filter(el => el.getBoundingClientRect().right > edge + 0.5)
            .map(el => el.tagName + ' in ' + (card.id || card.className));
    })""")


def test_a_coordinator_signs_in_and_ticks_an_activity_on_the_timeline(world, broker, server, page,
                                                                       coordinator_a, artifacts_dir):
    page.goto(f"{server}/programme/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    response = sign_in(page, coordinator_a)
    assert response.status == 302

    expect(page).to_have_url(f"{server}/programme/communes/{world.commune_a}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#phase-1 h2")).to_contain_text("Préparer et ancrer")
    concept = page.locator("#phase-1 button[data-activity=concept]")
    expect(concept).to_have_attribute("aria-pressed", "false")

    concept.click()
    page.wait_for_url(re.compile(rf"/programme/communes/{world.commune_a}#phase-1$"))
    concept = page.locator("#phase-1 button[data-activity=concept]")
    expect(concept).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#phase-1 li.done button[data-activity=concept]")).to_have_count(1)
    expect(page.locator("#phase-1 li.done")).to_have_count(1)  # only that one
    page.screenshot(path=str(artifacts_dir / "programme-timeline.png"), full_page=True)

    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=2)
    ticked = [e for e in events if e.type == "programme.ActivityChecked"]
    assert [e.payload for e in ticked] == [{"phase": 1, "activity": "concept", "done": True}]


def test_a_wrong_password_shows_the_error_next_to_the_form(world, server, page, coordinator_a):
    page.goto(f"{server}/programme/login")
    response = sign_in(page, coordinator_a, "not the password")
    assert response.status == 401
    error = page.locator("#login-error")
    expect(error).to_be_visible()
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).to_have_value(coordinator_a)  # kept, the password is not
    expect(page.locator("#password")).to_have_value("")
    # The error sits inside the sign-in card, right above the form.
    expect(page.locator("section.card:has(form) #login-error")).to_have_count(1)
    if FRENCH_MO.exists():
        expect(error).not_to_have_text("Wrong e-mail address or password.")
    # Still not signed in: the protected page sends back to the login form.
    page.goto(f"{server}/programme/communes/{world.commune_a}")
    expect(page).to_have_url(re.compile(r"/programme/login\?next="))


@pytest.mark.phone
def test_the_plan_form_shows_a_missing_title_then_adds_the_objective(world, server, page, coordinator_a,
                                                                     artifacts_dir):
    page.goto(f"{server}/programme/login?next=/programme/communes/{world.commune_a}/plan")
    sign_in(page, coordinator_a)
    expect(page).to_have_url(f"{server}/programme/communes/{world.commune_a}/plan")
    objectives = page.locator("section#objectives")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        objectives.get_by_role("button").click()
    assert posted.value.status == 422
    title = page.locator("#objective-title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#objective-title-error")).to_be_visible()
    expect(title).to_have_attribute("aria-describedby", "objective-title-error")
    expect(page.locator("#theme-title")).not_to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts_dir / "programme-plan-error.png"), full_page=True)

    title.fill("Réduire l'isolement des aînés")
    page.select_option("#objective-indicator", index=1)
    page.fill("#objective-baseline", "0.25")
    page.fill("#objective-target", "0.15")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        objectives.get_by_role("button").click()
    assert posted.value.status == 302
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/programme/communes/{world.commune_a}/plan#objectives$"))
    expect(page.locator("section#objectives li strong")).to_have_text(["Réduire l'isolement des aînés"])
    expect(page.locator("#objective-title")).to_have_value("")
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "programme-plan.png"), full_page=True)
    assert sticking_out_of_cards(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the plan overflows a phone screen"


def test_a_coordinator_of_commune_a_cannot_open_commune_b(world, server, page, coordinator_a):
    page.goto(f"{server}/programme/login")
    sign_in(page, coordinator_a)
    response = page.goto(f"{server}/programme/communes/{world.commune_b}")
    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main p").first).not_to_have_text(page.locator("h1").inner_text())  # said once
    body = page.locator("body")
    expect(body).not_to_contain_text("Commune B")
    expect(page.locator(".timeline, [data-activity]")).to_have_count(0)
    assert page.goto(f"{server}/programme/communes/{world.commune_b}/plan").status == 403
    expect(body).not_to_contain_text("Commune B")


@pytest.mark.parametrize("target", ["/programme/communes/{a}", "/programme/communes/{a}/plan"])
def test_a_page_asks_to_sign_in_first_then_comes_back(world, server, page, target):
    # A regional admin: without `next` they would land on the list of communes instead.
    email = make_account(world, "region@example.ch", "regional_admin", [])
    target = target.format(a=world.commune_a)
    response = page.goto(f"{server}{target}")
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.response().status == 302
    expect(page).to_have_url(re.compile(r"/programme/login\?next="))
    expect(page.locator("#password")).to_be_visible()
    sign_in(page, email)
    expect(page).to_have_url(f"{server}{target}")
    expect(page.locator("nav.card")).to_contain_text("Commune A")
    assert sticking_out_of_cards(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_the_session_cookie_is_http_only_and_same_site_lax(world, server, page, coordinator_a):
    page.goto(f"{server}/programme/login")
    sign_in(page, coordinator_a)
    expect(page).to_have_url(f"{server}/programme/communes/{world.commune_a}")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["asp_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    assert session["expires"] == -1  # a browser-session cookie, not a persistent one
    assert page.evaluate("document.cookie").find("asp_session") == -1


def test_a_coordinator_launches_an_action_and_moves_its_status(world, broker, server, page, coordinator_a):
    page.goto(f"{server}/programme/login?next=/programme/communes/{world.commune_a}/plan")
    sign_in(page, coordinator_a)
    actions = page.locator("section#actions")
    actions.locator("#action-title").fill("Fête des voisins")
    actions.locator("#action-owner").fill("Groupe de travail")
    actions.locator("form:has(#action-title) button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("section#actions tbody tr", has_text="Fête des voisins")
    expect(row.locator("select")).to_have_value("planned")
    row.locator("select").select_option("in_progress")
    row.get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("section#actions tbody tr", has_text="Fête des voisins").locator("select")).to_have_value("in_progress")
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=3)
    assert [(e.type, e.payload["status"]) for e in events if e.type.startswith("programme.Action")] == [
        ("programme.ActionLaunched", "planned"), ("programme.ActionUpdated", "in_progress")]
