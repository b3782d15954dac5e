"""The surveys' pages in a real browser (headless Debian Chromium) over real HTTP (waitress):
a resident answers on a phone, in French, with one error shown and fixed; and the
coordinator's walk-through of the demo, as in the issue's "Done when"."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from runner.dispatch import PathDispatcher
from tests.support.browser import PHONE, live_server
from tests.surveys.conftest import consume_communes, publish_all

from programme.demo import seed as seed_programme
from surveys.demo import seed as seed_surveys

pytestmark = pytest.mark.browser


def overflows_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]


def next_page(page, button: str = "Suivant", status: int = 200):
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=button, exact=True).click()
    assert posted.value.status == status, posted.value.status
    page.wait_for_load_state()


def answer_every_page(page, wishes: str = "Une fête des voisins au printemps."):
    page.check("#q-neighbour_network-3")
    page.check("#q-neighbour_interaction_frequency-4")
    next_page(page)
    page.check("#q-interaction_places-1")
    page.check("#q-interaction_places-2")
    page.check("#q-interaction_duration-1")
    next_page(page)
    page.check("#q-local_politics_interest-2")
    page.check("#q-involvement_wish-1")
    next_page(page)
    page.check("#q-involvement_areas-2")
    page.fill("#q-wishes", wishes)
    next_page(page)
    page.check("#q-age_band-3")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Envoyer mes réponses").click()
    assert posted.value.status == 303
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Merci !")


@pytest.mark.phone
def test_a_resident_answers_on_a_phone_in_french_with_one_error_shown_and_fixed(surveys, page, artifacts_dir):
    survey = surveys.published()
    with live_server(surveys.app()) as server:
        page.goto(f"{server}/surveys/s/{survey['token']}")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("h1")).to_have_text("Qualité de vie dans la commune")
        expect(page.locator(".progress-text")).to_have_text("Page 1 sur 5")
        expect(page.locator("nav")).to_have_count(0)  # no staff menu for residents
        page.screenshot(path=str(artifacts_dir / "surveys-phone-page1.png"), full_page=True)

        page.focus("#q-neighbour_interaction_frequency-4")  # the keyboard is enough
        page.keyboard.press("Space")
        expect(page.locator("#q-neighbour_interaction_frequency-4")).to_be_checked()
        next_page(page, status=422)  # the network question was forgotten
        error = page.locator("#q-neighbour_network-error")
        expect(error).to_be_visible()
        expect(error).to_have_text("Merci de répondre à cette question.")
        expect(page.locator("#q-neighbour_network")).to_have_attribute("aria-describedby", "q-neighbour_network-error")
        expect(page.locator("#q-neighbour_network-1")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#error-summary")).to_contain_text("Comment évaluez-vous votre réseau")
        expect(page.locator("#q-neighbour_interaction_frequency-4")).to_be_checked()  # kept
        expect(page.locator(".field-error")).to_have_count(1)
        assert not overflows_phone(page), "the form overflows a phone screen"
        page.screenshot(path=str(artifacts_dir / "surveys-phone-error.png"), full_page=True)

        page.locator("label[for=q-neighbour_network-2]").click()  # "Restreint", by its label
        next_page(page)
        expect(page.locator(".progress-text")).to_have_text("Page 2 sur 5")
        expect(page.locator("[aria-invalid=true]")).to_have_count(0)
        page.check("#q-interaction_places-1")
        page.check("#q-interaction_duration-1")
        next_page(page)
        page.check("#q-local_politics_interest-1")
        next_page(page)
        expect(page.locator(".progress-text")).to_have_text("Page 4 sur 5")
        expect(page.locator("#q-involvement_areas")).to_have_count(0)  # skipped: no wish to get involved
        page.fill("#q-wishes", "Un café où se retrouver.")
        next_page(page)
        page.get_by_role("button", name="Précédent").click()
        expect(page.locator("#q-wishes")).to_have_value("Un café où se retrouver.")
        next_page(page)
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Envoyer mes réponses").click()
        assert posted.value.status == 303
        expect(page.locator("h1")).to_have_text("Merci !")
        assert not overflows_phone(page)
        page.screenshot(path=str(artifacts_dir / "surveys-phone-thanks.png"), full_page=True)

        page.goto(f"{server}/surveys/s/{survey['token']}")
        expect(page.locator("h1")).to_have_text("Vous avez déjà répondu")

    answers = surveys.client().get(f"{surveys.base()}/{survey['id']}/responses",
                                   headers=surveys.headers("coordinator_a")).json
    assert [r["answers"] for r in answers] == [{
        "neighbour_network": "restricted", "neighbour_interaction_frequency": "few_times_a_year",
        "interaction_places": ["street"], "interaction_duration": "few_minutes", "local_politics_interest": 1,
        "wishes": "Un café où se retrouver."}]


def sign_in(page, server: str, target: str):
    page.goto(f"{server}/programme/login?next={target}")
    page.fill("#email", "coordination@courtetelle.example")
    page.fill("#password", "demo")
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_load_state()


def test_the_coordinators_walk_through_of_the_demo(surveys, browser, page, artifacts_dir):
    seed_programme(surveys.programme.runtime)
    publish_all(surveys.programme.runtime)
    consume_communes(surveys.runtime, ["courtetelle"])
    assert seed_surveys(surveys.runtime, wait_s=5)
    platform = PathDispatcher({"programme": surveys.programme.app(), "surveys": surveys.app()}, default="/programme/")
    with live_server(platform) as server:
        sign_in(page, server, "/surveys/")  # the "Sondages" menu entry
        expect(page).to_have_url(f"{server}/surveys/communes/courtetelle")
        expect(page.locator("nav a[aria-current=page]")).to_have_text("Sondages")
        pilot_row = page.locator("tr", has_text="Sondage sur la qualité de vie à Courtételle")
        expect(pilot_row).to_contain_text("clos")
        expect(pilot_row).to_contain_text("120")

        pilot_row.get_by_role("link").click()
        page.get_by_role("link", name="Résultats et participation").click()
        expect(page.locator("#response-count")).to_have_text("120")
        expect(page.locator("#participation-rate")).to_have_text("4.6 %")
        expect(page.locator("[data-indicator=network_restricted_share]")).to_contain_text("25.0 %")
        page.screenshot(path=str(artifacts_dir / "surveys-pilot-results.png"), full_page=True)

        page.goto(f"{server}/surveys/communes/courtetelle")
        page.get_by_role("link", name="Qualité de vie à Courtételle — sondage de suivi").click()
        page.get_by_role("button", name="Publier le sondage").click()
        expect(page.locator(".flash")).to_contain_text("Le sondage est publié")
        public_url = page.locator("#public-url").inner_text()
        assert re.fullmatch(rf"{server}/surveys/s/[a-z2-9]{{10}}", public_url)
        expect(page.locator("img.qr")).to_be_visible()
        assert page.evaluate("document.querySelector('img.qr').naturalWidth") > 100  # the SVG loaded
        png = page.request.get(server + page.locator("#qr-png").get_attribute("href"))
        assert png.status == 200 and png.body().startswith(b"\x89PNG")
        page.screenshot(path=str(artifacts_dir / "surveys-published-qr.png"), full_page=True)

        phone = browser.new_context(viewport=PHONE, locale="fr-CH", timezone_id="Europe/Zurich")
        resident = phone.new_page()
        resident.goto(public_url)
        expect(resident.locator("h1")).to_have_text("Qualité de vie à Courtételle — sondage de suivi")
        answer_every_page(resident)
        resident.screenshot(path=str(artifacts_dir / "surveys-walkthrough-phone-thanks.png"), full_page=True)
        phone.close()

        page.get_by_role("link", name="Saisir une réponse papier").click()
        page.check("#q-neighbour_network-1")
        page.check("#q-interaction_duration-2")
        page.fill("#q-neighbours_known_by_name", "3")
        page.get_by_role("button", name="Enregistrer cette réponse papier").click()
        expect(page.locator(".flash")).to_contain_text("La réponse papier est enregistrée")

        page.get_by_role("link", name="Qualité de vie à Courtételle — sondage de suivi").click()
        page.get_by_role("link", name="Résultats et participation").click()
        expect(page.locator("#response-count")).to_have_text("2")
        expect(page.locator("#participation")).to_contain_text("1 en ligne, 1 sur papier")
        expect(page.locator("#participation-rate")).to_have_text("0.1 %")
        expect(page.locator("#participation")).to_contain_text("2’582")
        expect(page.locator("#result-neighbour_network")).to_contain_text("Très restreint")
        page.screenshot(path=str(artifacts_dir / "surveys-walkthrough-results.png"), full_page=True)
