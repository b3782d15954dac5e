"""What residents see without signing in: the agenda with its series, the event pages in their
language, personal pages kept private, and iCalendar feeds a real iCalendar library reads."""
import re
from datetime import datetime, timedelta, timezone
from icalendar import Calendar

from tests.events.town import register, token_of, utc


def test_the_agenda_shows_a_series_together_in_time_order_and_cancelled_events_as_such(town):
    client, headers = town.client(), town.headers("coordinator_a")
    week = client.post(f"{town.api(town.a)}/series", json={"title": "Semaine brise-glace"}, headers=headers).json
    start = utc(days=20)
    town.schedule(title="Papotage avant", kind="papotage", starts_at=start - timedelta(days=5))
    town.schedule(title="Jeudi jeux", series_id=week["id"], starts_at=start + timedelta(days=3))
    town.schedule(title="Lundi apéro", series_id=week["id"], starts_at=start)
    after = town.schedule(title="Forum après", kind="forum_citoyen", phase=3, starts_at=start + timedelta(days=30))
    client.post(f"{town.api(town.a)}/events/{after['id']}/cancel", json={"reason": "Salle indisponible"},
                headers=headers)
    page = client.get(f"/events/c/{town.a}").get_data(as_text=True)
    order = [page.index(text) for text in ("Papotage avant", "Semaine brise-glace", "Lundi apéro", "Jeudi jeux",
                                           "Forum après")]
    assert order == sorted(order)
    series = page[page.index("Semaine brise-glace"):page.index("Forum après")]
    assert "Lundi apéro" in series and "Jeudi jeux" in series and "2 événements" in series
    cancelled = page[page.index("Forum après") - 300:]
    assert "is-cancelled" in cancelled and "Annulé" in cancelled


def test_the_pages_are_in_french_first_and_switch_language(town):
    event = town.schedule(registration_required=True, capacity=5)
    client = town.client()
    french = client.get(f"/events/c/{town.a}/e/{event['id']}")
    assert 'lang="fr"' in french.get_data(as_text=True) and "M'inscrire" in french.get_data(as_text=True).replace("&#39;", "'")
    german = client.get(f"/events/c/{town.a}/e/{event['id']}?lang=de").get_data(as_text=True)
    assert 'lang="de"' in german and "Mich anmelden" in german and "Noch 5 Plätze frei" in german
    remembered = client.get(f"/events/c/{town.a}").get_data(as_text=True)  # the choice is kept in a cookie
    assert "Die Nachbarn in Commune A treffen" in remembered
    english = town.client().get(f"/events/c/{town.a}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Meet your neighbours in Commune A" in english


def test_the_time_is_shown_in_zurich_time(town):
    summer = datetime(utc().year + 1, 7, 1, 16, 0, tzinfo=timezone.utc)  # 18:00 in Zurich (summer time)
    winter = datetime(utc().year + 1, 1, 15, 16, 0, tzinfo=timezone.utc)  # 17:00 in Zurich
    for moment, shown in ((summer, "18:00–20:00"), (winter, "17:00–19:00")):
        event = town.schedule(starts_at=moment)
        page = town.client().get(f"/events/c/{town.a}/e/{event['id']}").get_data(as_text=True)
        assert shown in re.sub(r"<[^>]+>", "", page)


def test_personal_pages_are_private_and_the_public_page_names_nobody(town):
    event = town.schedule(registration_required=True)
    client = town.client()
    token = token_of(register(client, town.a, event["id"], name="Noémie Noirjean", contact="noemie@example.ch"))
    personal = client.get(f"/events/r/{token}")
    assert personal.headers["Cache-Control"] == "no-store" and "noindex" in personal.headers["X-Robots-Tag"]
    assert "Noémie Noirjean" in personal.get_data(as_text=True)
    feedback = client.get(f"/events/feedback/{event['feedback_token']}")
    assert feedback.headers["Cache-Control"] == "no-store"
    public = client.get(f"/events/c/{town.a}/e/{event['id']}").get_data(as_text=True)
    calendar = client.get(f"/events/c/{town.a}/calendar.ics").get_data(as_text=True)
    for text in (public, calendar):
        assert "Noémie" not in text and "noemie@example.ch" not in text and token not in text
        assert event["feedback_token"] not in text  # the feedback link is given by the staff


def test_the_communes_calendar_is_icalendar_in_zurich_time_with_cancellations(town):
    summer = datetime(utc().year + 1, 7, 1, 16, 0, tzinfo=timezone.utc)
    kept = town.schedule(title="Repas canadien", starts_at=summer, place_name="Salle communale",
                         place_address="Rue de l'Église 5", description="Chacun apporte un plat.",
                         accessibility_notes="Rampe d'accès")
    dropped = town.schedule(title="Jeux", starts_at=summer + timedelta(days=1))
    town.client().post(f"{town.api(town.a)}/events/{dropped['id']}/cancel", json={"reason": "Orage annoncé"},
                       headers=town.headers("coordinator_a"))
    response = town.client().get(f"/events/c/{town.a}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"

    calendar = Calendar.from_ical(response.data)
    assert str(calendar["VERSION"]) == "2.0"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Zurich"]
    entries = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {f"{kept['id']}@asp-events", f"{dropped['id']}@asp-events"}
    repas = entries[f"{kept['id']}@asp-events"]
    start = repas.decoded("DTSTART")
    assert (start.hour, start.utcoffset()) == (18, timedelta(hours=2)) and start == summer
    assert repas["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert repas.decoded("DTEND") - start == timedelta(hours=2)
    assert str(repas["SUMMARY"]) == "Repas canadien" and str(repas["STATUS"]) == "CONFIRMED"
    assert str(repas["LOCATION"]) == "Salle communale, Rue de l'Église 5"
    assert "Chacun apporte un plat." in str(repas["DESCRIPTION"]) and "Rampe d'accès" in str(repas["DESCRIPTION"])
    assert str(repas["URL"]).endswith(f"/events/c/{town.a}/e/{kept['id']}")
    jeux = entries[f"{dropped['id']}@asp-events"]
    assert str(jeux["STATUS"]) == "CANCELLED" and "Orage annoncé" in str(jeux["DESCRIPTION"])


def test_an_events_calendar_holds_that_event_only(town):
    event = town.schedule(title="Papotage au café", kind="papotage")
    town.schedule(title="Autre chose")
    response = town.client().get(f"/events/c/{town.a}/e/{event['id']}/calendar.ics")
    calendar = Calendar.from_ical(response.data)
    entries = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in entries] == ["Papotage au café"]
    starts_at = datetime.fromisoformat(event["starts_at"]).replace(microsecond=0)  # iCalendar keeps seconds
    assert entries[0].decoded("DTSTART") == starts_at
