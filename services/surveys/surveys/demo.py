"""The demo data of `make run`: Courtételle's quality-of-life survey, as the pilot ran it.

120 residents answered (96 online, 24 on paper); their answers reproduce the pilot's
intermediate results (2022): 25% rate their network in the commune restricted or very
restricted, neighbours rarely interact, interactions are short and happen in places of
passage, and interest in local politics is low. The survey is closed. A follow-up survey
waits as a draft, for a coordinator to publish in the walk-through.

Everything goes through the handlers (so the events are published), and each step looks
at what is there first: a run stopped half-way finishes on the next start, and a second
run adds nothing.
"""
from __future__ import annotations

import logging
import random
import time
from datetime import date, datetime, timedelta, timezone

from shared.service import ServiceRuntime

from surveys.adapters import repository as repo
from surveys.adapters.orm import Commune, Survey
from surveys.domain import model
from surveys.service_layer import handlers

log = logging.getLogger(__name__)

COMMUNE = "courtetelle"
TEMPLATE = "qualite-de-vie"
PILOT_TITLE = {"fr": "Sondage sur la qualité de vie à Courtételle",
               "de": "Umfrage zur Lebensqualität in Courtételle",
               "en": "Quality-of-life survey in Courtételle"}
FOLLOW_UP_TITLE = {"fr": "Qualité de vie à Courtételle — sondage de suivi",
                   "de": "Lebensqualität in Courtételle — Folgeumfrage",
                   "en": "Quality of life in Courtételle — follow-up survey"}
PUBLISHED = datetime(2026, 5, 18, 8, 0, tzinfo=timezone.utc)
CLOSED = datetime(2026, 6, 30, 16, 0, tzinfo=timezone.utc)
RESPONSES, ONLINE = 120, 96

# Exact counts out of 120 for each closed question (None: left unanswered).
DISTRIBUTIONS = {
    "neighbour_network": {"very_restricted": 9, "restricted": 21, "medium": 46, "wide": 31, "very_wide": 13},
    "neighbour_interaction_frequency": {"daily": 8, "weekly": 30, "monthly": 34, "few_times_a_year": 36,
                                        "never": 12},
    "interaction_duration": {"few_minutes": 58, "up_to_15_minutes": 38, "up_to_1_hour": 17,
                             "more_than_1_hour": 7},
    "local_politics_interest": {1: 28, 2: 41, 3: 31, 4: 14, 5: 6},
    "quality_of_life": {1: 2, 2: 9, 3: 33, 4: 52, 5: 16, None: 8},
    "commune_assembly": {"regularly": 11, "sometimes": 29, "never": 72, None: 8},
    "involvement_wish": {"yes": 22, "maybe": 41, "no": 47, None: 10},
    "age_band": {"age_under_25": 4, "age_25_44": 28, "age_45_64": 39, "age_65_79": 27, "age_80_plus": 7,
                 None: 15},
    "years_in_commune": {"under_2_years": 9, "years_2_to_10": 31, "years_11_to_20": 27, "over_20_years": 43,
                         None: 10},
    "neighbourhood": {"centre": 48, "residential": 52, "outskirts": 3, None: 17},
}
# Places named, weighted: the pilot found most interactions in places of passage.
PLACES = {"street": 40, "shops": 25, "public_transport": 12, "school": 10, "cafes": 5, "associations": 4,
          "events": 2, "homes": 2}
AREAS = ("neighbourhood_events", "citizen_forum", "helping_neighbours", "seniors", "youth", "environment",
         "culture_sport")
WISHES = (
    "Un café ou un lieu de rencontre au centre du village.",
    "Une fête des voisins chaque année, par quartier.",
    "Des bancs près de l'école et de la poste pour s'arrêter et discuter.",
    "Un système d'entraide pour les courses des personnes âgées.",
    "Mieux accueillir et informer les nouveaux habitants.",
    "Des activités pour les jeunes le soir et le week-end.",
    "Un marché local le samedi matin.",
    "Plus d'informations sur ce que décide la commune, et plus simplement.",
    "Des sentiers et une place de jeux mieux entretenus.",
    "Des repas communautaires ouverts à tous.",
)


def _column(rng: random.Random, counts: dict) -> list:
    values = [value for value, count in counts.items() for _ in range(count)]
    assert len(values) == RESPONSES, "each distribution covers every respondent"
    rng.shuffle(values)
    return values


def _places(rng: random.Random) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < rng.choice((1, 2, 2, 3)):
        place = rng.choices(list(PLACES), weights=list(PLACES.values()))[0]
        if place not in chosen:
            chosen.append(place)
    return chosen


def pilot_answers() -> list[dict]:
    """The 120 answer sets, the same on every run."""
    rng = random.Random(2022)
    columns = {key: _column(rng, counts) for key, counts in DISTRIBUTIONS.items()}
    answer_sets = []
    for index in range(RESPONSES):
        answers = {key: values[index] for key, values in columns.items() if values[index] is not None}
        answers["interaction_places"] = _places(rng)
        if index % 6:  # most give an estimate of the neighbours they know by name
            answers["neighbours_known_by_name"] = rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30))
        if answers.get("involvement_wish") in ("yes", "maybe"):
            answers["involvement_areas"] = rng.sample(AREAS, rng.choice((1, 1, 2)))
        if index % 3 == 0:
            answers["wishes"] = WISHES[(index // 3) % len(WISHES)]
        answer_sets.append(answers)
    return answer_sets


def answered_on(index: int) -> date:
    """Spread over the six weeks the survey was open; paper forms were typed in at the end."""
    if index < ONLINE:
        return PUBLISHED.date() + timedelta(days=index * 38 // ONLINE)
    return CLOSED.date() - timedelta(days=3)


def seed(surveys: ServiceRuntime, wait_s: float = 60.0) -> bool:
    """Seed what is missing; returns True if anything was added."""
    if not _commune_known(surveys, wait_s):
        log.warning("surveys demo: %s has not arrived from the programme service; seeding on the next start",
                    COMMUNE)
        return False
    added, pilot_id = _pilot_survey(surveys)
    added |= _pilot_responses(surveys, pilot_id)
    added |= _close(surveys, pilot_id)
    added |= _follow_up_draft(surveys, pilot_id)
    return added


def _commune_known(surveys: ServiceRuntime, wait_s: float) -> bool:
    """The commune arrives through programme.CommuneOnboarded, consumed alongside."""
    deadline = time.monotonic() + wait_s
    while True:
        with surveys.unit_of_work() as uow:
            if uow.session.get(Commune, COMMUNE) is not None:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def _find(uow, title: dict) -> Survey | None:
    return next((s for s in repo.surveys(uow.session, COMMUNE) if s.title.get("fr") == title["fr"]), None)


def _pilot_survey(surveys: ServiceRuntime) -> tuple[bool, int]:
    with surveys.unit_of_work() as uow:
        pilot = _find(uow, PILOT_TITLE)
        added = pilot is None
        if pilot is None:
            pilot = handlers.create_survey(uow, COMMUNE, template=TEMPLATE, title=PILOT_TITLE)
    with surveys.unit_of_work() as uow:
        if repo.survey(uow.session, COMMUNE, pilot.id).status == model.DRAFT:
            handlers.publish_survey(uow, COMMUNE, pilot.id, now=PUBLISHED)
            added = True
    return added, pilot.id


def _pilot_responses(surveys: ServiceRuntime, pilot_id: int) -> bool:
    with surveys.unit_of_work() as uow:
        pilot = repo.survey(uow.session, COMMUNE, pilot_id)
        done = repo.response_counts(uow.session, COMMUNE).get(pilot_id, 0)
        token, status = pilot.token, pilot.status
    if status != model.PUBLISHED or done >= RESPONSES:
        return False
    for index, answers in enumerate(pilot_answers()[done:], start=done):
        with surveys.unit_of_work() as uow:
            if index < ONLINE:
                handlers.submit_response(uow, token, answers, on=answered_on(index))
            else:
                handlers.enter_paper_response(uow, COMMUNE, pilot_id, answers, on=answered_on(index))
    return True


def _close(surveys: ServiceRuntime, pilot_id: int) -> bool:
    with surveys.unit_of_work() as uow:
        if repo.survey(uow.session, COMMUNE, pilot_id).status != model.PUBLISHED:
            return False
        if repo.response_counts(uow.session, COMMUNE).get(pilot_id, 0) < RESPONSES:
            return False
        handlers.close_survey(uow, COMMUNE, pilot_id, now=CLOSED)
        return True


def _follow_up_draft(surveys: ServiceRuntime, pilot_id: int) -> bool:
    with surveys.unit_of_work() as uow:
        if _find(uow, FOLLOW_UP_TITLE) is not None:
            return False
        handlers.create_survey(uow, COMMUNE, template=TEMPLATE, title=FOLLOW_UP_TITLE, follow_up_of=pilot_id)
        return True
