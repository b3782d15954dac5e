"""The events pages in a real browser (headless Chromium) over real HTTP: a resident registers
from the public agenda on a phone, a coordinator schedules the ice-breaker week and records
what happened. The programme's and the events' apps share one port, as in `make run`."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shared.contracts import topic_of
from tests.events.town import raw_messages, utc
from tests.support.browser import live_server

from events.adapters.orm import FeedbackAnswer, Registration
from events.api.forms import local_input
from events.service_layer import handlers
from runner.dispatch import PathDispatcher

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def server(town):
    app = PathDispatcher({"programme": town.world.app(), "events": town.app()}, default="/programme/")
    with live_server(app) as base_url:
        yield base_url


def fits_the_screen(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"


@pytest.mark.phone
def test_a_resident_registers_from_the_agenda_on_a_phone_and_can_cancel(town, server, page, artifacts_dir):
    week = town.client().post(f"{town.api(town.a)}/series", json={"title": "Semaine brise-glace"},
                              headers=town.headers("coordinator_a")).json
    event = town.schedule(title="Balade intergénérationnelle", series_id=week["id"], registration_required=True,
                          capacity=12, partner_ids=town.partners[town.a], place_name="Préau de l'école",
                          accessibility_notes="Parcours plat, adapté aux poussettes.")
    page.goto(f"{server}/events/c/{town.a}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_contain_text("Rencontrer ses voisins")
    expect(page.locator(".series")).to_contain_text("Semaine brise-glace")
    page.screenshot(path=str(artifacts_dir / "events-agenda-phone.png"), full_page=True)
    fits_the_screen(page, 390)

    page.get_by_role("link", name="Balade intergénérationnelle").click()
    expect(page.locator("h1")).to_have_text("Balade intergénérationnelle")
    expect(page.locator(".facts")).to_contain_text("Société de développement, Paroisse catholique")
    expect(page.locator(".facts")).to_contain_text("Encore 12 places")
    page.get_by_label("Votre nom").fill("Léa Frésard")
    page.get_by_label("Téléphone ou e-mail (facultatif)").fill("lea@example.ch")
    page.get_by_label("Nombre de personnes, vous compris·e").fill("2")
    fits_the_screen(page, 390)
    page.get_by_role("button", name="M'inscrire").click()

    expect(page).to_have_url(re.compile(r"/events/r/[\w-]+\?new=1#confirmation$"))
    expect(page.locator("h1")).to_have_text("Merci, vous êtes inscrit·e !")
    expect(page.locator(".registration-status")).to_contain_text("2 personnes")
    page.screenshot(path=str(artifacts_dir / "events-registration-phone.png"), full_page=True)
    fits_the_screen(page, 390)
    with town.runtime.session_factory() as session:
        stored = session.execute(select(Registration.name, Registration.contact, Registration.party_size,
                                        Registration.status)).all()
    assert stored == [("Léa Frésard", "lea@example.ch", 2, "registered")]

    page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.locator(".registration-status")).to_contain_text("Cette inscription est annulée.")
    page.goto(f"{server}/events/c/{town.a}/e/{event['id']}?lang=de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Mich anmelden")).to_be_visible()
    values = b"\n".join(value for _, value in raw_messages(town.bootstrap, topic_of("events")))
    assert b"Fr\xc3\xa9sard" not in values and b"lea@example.ch" not in values


def sign_in_as_coordinator(town, page, server) -> None:
    from programme.service_layer import handlers as programme
    with town.world.runtime.unit_of_work() as uow:
        programme.create_account(uow, "coord@example.ch", "Coordination A", PASSWORD, "coordinator", [town.a])
    page.goto(f"{server}/programme/login")
    page.fill("#email", "coord@example.ch")
    page.fill("#password", PASSWORD)
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_load_state()


def test_a_coordinator_schedules_the_week_with_two_partners_then_records_attendance_and_feedback(
        town, server, page, artifacts_dir):
    sign_in_as_coordinator(town, page, server)
    page.get_by_role("link", name="Événements").click()
    expect(page).to_have_url(f"{server}/events/communes/{town.a}")
    page.fill("#series-title", "Semaine brise-glace")
    page.get_by_role("button", name="Créer la série").click()
    expect(page.locator("#series")).to_contain_text("Semaine brise-glace")

    first_day = utc(days=14).replace(hour=16, minute=0, second=0, microsecond=0)
    for day, title in enumerate(("Apéro de quartier", "Soirée jeux de société")):
        page.goto(f"{server}/events/communes/{town.a}")
        page.get_by_role("link", name="Ajouter un événement à cette série").click()
        page.select_option("#event-kind", "brise_glace")
        page.fill("#event-title", title)
        starts = first_day + timedelta(days=day)
        page.fill("#event-starts_at", local_input(starts))
        page.fill("#event-ends_at", local_input(starts - timedelta(hours=1)))  # wrong on purpose first
        page.fill("#event-place_name", "Salle communale")
        page.check("#event-registration_required")
        page.fill("#event-capacity", "30")
        page.get_by_label("Société de développement").check()
        page.get_by_label("Paroisse catholique").check()
        page.get_by_role("button", name="Planifier l'événement").click()
        expect(page.locator("#event-ends_at")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#event-ends_at-error")).to_have_text("La fin doit suivre le début.")
        expect(page.get_by_label("Paroisse catholique")).to_be_checked()  # what was typed stays
        page.fill("#event-ends_at", local_input(starts + timedelta(hours=3)))
        page.get_by_role("button", name="Planifier l'événement").click()
        expect(page.locator("h1")).to_contain_text(title)
        expect(page.locator("#details")).to_contain_text("Paroisse catholique, Société de développement")
    page.screenshot(path=str(artifacts_dir / "events-staff-event.png"), full_page=True)

    scheduled = [m for m in town.messages(town.a) if m.type == "events.EventScheduled"]
    assert [m.payload["title"] for m in scheduled] == ["Apéro de quartier", "Soirée jeux de société"]
    assert all(sorted(m.payload["partner_ids"]) == sorted(town.partners[town.a]) for m in scheduled)
    assert scheduled[0].payload["starts_at"] == first_day.isoformat()

    # Last week's papotage (set up as history): the coordinator records what happened.
    ended = utc(days=-7)
    with town.runtime.unit_of_work() as uow:
        past = handlers.schedule_event(uow, town.a, now=utc(days=-20), kind="papotage", title="Papotage au café",
                                       starts_at=ended - timedelta(hours=2), ends_at=ended, place_name="Café",
                                       phase=2, registration_required=True)
    with town.runtime.unit_of_work() as uow:
        handlers.register(uow, town.a, past.id, "Marc Maître", 2, "", now=utc(days=-10))
    page.goto(f"{server}/events/communes/{town.a}/events/{past.id}")
    page.fill("#attendance-head_count", "11")
    page.get_by_label("Marc Maître — 2 personnes").check()
    page.get_by_role("button", name="Enregistrer la participation").click()
    expect(page.locator("h1 .badge")).to_have_text("a eu lieu")
    expect(page.locator("#figures")).to_contain_text("11 personnes")
    page.locator("#feedback summary").click()
    page.fill("#feedback-satisfaction", "4")
    page.check("#staff-met-yes")
    page.fill("#feedback-comment", "Belle ambiance")
    page.get_by_role("button", name="Ajouter l'avis").click()
    expect(page.locator("#feedback .answers")).to_contain_text("Belle ambiance")
    page.screenshot(path=str(artifacts_dir / "events-staff-attendance.png"), full_page=True)
    with town.runtime.session_factory() as session:
        assert session.scalars(select(FeedbackAnswer.satisfaction)).all() == [4]
    types = [m.type for m in town.messages(town.a) if m.payload["event_id"] == past.id]
    assert types[-2:] == ["events.AttendanceRecorded", "events.FeedbackRecorded"]
