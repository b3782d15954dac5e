"""Both dashboards in headless Chromium, charts visible, with screenshots for a person to look at."""
import pytest
from playwright.sync_api import expect

from programme.service_layer import handlers
from runner.dispatch import PathDispatcher
from tests.reporting.test_dashboards import activity_events, run_programme_lifecycle, survey_events
from tests.support.browser import live_server

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def server(world, reporting):
    app = PathDispatcher({"programme": world.app(), "reporting": reporting.app()}, default="/programme/")
    with live_server(app) as base_url:
        yield base_url


def sign_in(page, server, email, next_path):
    page.goto(f"{server}/programme/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def filled(world, reporting, produce):
    run_programme_lifecycle(world, world.commune_a)
    produce(*activity_events(world.commune_a))
    produce(*survey_events(world.commune_a, 41, restricted=10, others=30))
    produce(*survey_events(world.commune_a, 42, restricted=4, others=36, follow_up_of=41))
    reporting.catch_up()
    with world.runtime.unit_of_work() as uow:
        handlers.create_account(uow, "coord@example.ch", "Coordination", PASSWORD, "coordinator", [world.commune_a])
    with world.runtime.unit_of_work() as uow:
        handlers.create_account(uow, "region@example.ch", "Région", PASSWORD, "regional_admin", [])
    return world


def test_the_commune_dashboard_shows_its_charts_in_french(filled, server, page, artifacts_dir):
    sign_in(page, server, "coord@example.ch", f"/reporting/communes/{filled.commune_a}")
    expect(page.locator("h1")).to_contain_text("Tableau de bord de Commune A")
    for section in ("#phases svg", "#indicators svg"):
        chart = page.locator(section)
        expect(chart).to_be_visible()
        assert chart.bounding_box()["height"] > 60
    expect(page.locator("#indicators")).to_contain_text("25 %")
    expect(page.locator("#gates")).to_contain_text("Des papotages publics ont eu lieu")
    expect(page.locator(".board-head")).to_contain_text("données au")
    page.screenshot(path=str(artifacts_dir / "reporting-commune.png"), full_page=True)
    page.click("text=Évaluation : le sondage de suivi comparé au premier")
    expect(page.locator("table")).to_contain_text("-15 points")
    page.screenshot(path=str(artifacts_dir / "reporting-evaluation.png"), full_page=True)


def test_the_regional_overview_shows_every_commune_and_the_phase_chart(filled, server, page, artifacts_dir):
    sign_in(page, server, "region@example.ch", "/reporting/region")
    expect(page.locator("h1")).to_have_text("Vue d'ensemble régionale")
    expect(page.locator("#distribution svg")).to_be_visible()
    rows = page.locator("#communes tbody tr")  # the broker holds earlier tests' communes too

    def row(slug):
        return rows.filter(has=page.locator(f'a[href="/reporting/communes/{slug}"]'))
    expect(row(filled.commune_a)).to_contain_text("25 %")
    expect(row(filled.commune_a)).to_contain_text("Analyser et mobiliser")
    expect(row(filled.commune_b)).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "reporting-region.png"), full_page=True)


def test_a_coordinator_is_not_shown_the_region(filled, server, page):
    sign_in(page, server, "coord@example.ch", "/reporting/region")
    expect(page.locator("main")).to_contain_text("Seul le personnel régional voit toutes les communes.")


def test_the_regional_table_sorts_and_filters_without_javascript(filled, server, page):
    sign_in(page, server, "region@example.ch", "/reporting/region")
    page.fill("#q", "Commune B")
    page.click("form.filters button")
    page.wait_for_load_state()
    names = page.locator("#communes tbody tr td:first-child").all_inner_texts()
    assert names and set(names) == {"Commune B"}
    page.goto(f"{server}/reporting/region")
    page.click("#communes th >> text=Événements tenus")
    page.wait_for_load_state()
    page.click("#communes th >> text=Événements tenus")  # again: descending
    page.wait_for_load_state()
    held = [int(text) for text in page.locator("#communes tbody tr td:nth-child(7)").all_inner_texts()]
    assert held == sorted(held, reverse=True) and held[0] >= 3  # Commune A held 3; others' tests, any
