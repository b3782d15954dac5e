"""The demo of `make run`: Courtételle's public chats and its ice-breaker week.

Dates are computed from the day of seeding: the past events were held (with attendance
and feedback), the coming ones take registrations. Everything goes through the handlers,
so every step is published like a real one. Each step looks at what is there first: a
seeding stopped half-way finishes on the next start, and a second run adds nothing.

Courtételle is known here only once the programme's CommuneOnboarded has been consumed,
so seeding waits for it; its partners come from the partners service's demo, seeded after
this one, so they join the ice-breaker week a moment later (see `attach_partners`).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timedelta, timezone

from shared.contracts.envelope import utcnow
from shared.service import ServiceRuntime

from events.adapters import repository as repo
from events.config import ZURICH
from events.domain import model
from events.service_layer import handlers

log = logging.getLogger(__name__)

COMMUNE = "courtetelle"
WEEK = "Semaine brise-glace"
CAFE = ("Café de la Gare", "Rue de la Gare 2, 2852 Courtételle",
        "Entrée de plain-pied, toilettes accessibles.")
HALL = ("Salle communale", "Rue de l'Église 5, 2852 Courtételle",
        "Accès en fauteuil roulant par la rampe côté parking ; boucle magnétique.")
SCHOOL = ("Préau de l'école primaire", "Rue du Collège 10, 2852 Courtételle", "Terrain plat.")


@dataclass
class DemoEvent:
    title: str
    kind: str
    day: int  # days from today (negative: past), or from the week's Monday if in_week
    hours: tuple[clock, clock]
    place: tuple[str, str, str]
    description: str
    capacity: int | None = None
    registration_required: bool = False
    in_week: bool = False
    registrations: list[tuple[str, str, int]] = field(default_factory=list)  # name, contact, people
    head_count: int | None = None
    came: int = 0  # how many of the registrations (the first ones) came
    feedback: list[tuple[int, bool, str]] = field(default_factory=list)


def _h(hour: int, minute: int = 0) -> clock:
    return clock(hour, minute)


EVENTS = (
    DemoEvent("Papotage au café", "papotage", -75, (_h(9, 30), _h(11)), CAFE,
              "Un café offert, et le temps de faire connaissance entre voisins.", head_count=14,
              feedback=[(5, True, "Très sympathique, à refaire !"), (4, True, ""), (4, False, ""),
                        (5, True, "J'ai rencontré mes voisins du dessus.")]),
    DemoEvent("Papotage sur le préau", "papotage", -45, (_h(16), _h(18)), SCHOOL,
              "À la sortie de l'école : un goûter et des jeux pour les enfants.", head_count=9,
              feedback=[(4, True, ""), (3, False, "Un peu trop de vent.")]),
    DemoEvent("Atelier cuisine du monde", "atelier", -20, (_h(17), _h(21)), HALL,
              "Chacun apporte une recette de chez lui ; on cuisine et on mange ensemble.",
              capacity=12, registration_required=True,
              registrations=[("Marie Fleury", "marie.fleury@example.ch", 2),
                             ("Jean-Pierre Chappuis", "032 422 00 01", 1),
                             ("Famille Rérat", "rerat@example.ch", 4),
                             ("Lucie Montavon", "", 1)],
              head_count=10, came=3,
              feedback=[(5, True, "Merci pour l'accueil."), (5, True, ""), (4, True, "")]),
    DemoEvent("Papotage du samedi", "papotage", 5, (_h(10), _h(11, 30)), CAFE,
              "Venez comme vous êtes, sans inscription."),
    DemoEvent("Apéro de quartier", "brise_glace", 0, (_h(18), _h(20)), SCHOOL,
              "L'ouverture de la semaine : un apéritif offert sur le préau.", in_week=True),
    DemoEvent("Balade intergénérationnelle", "brise_glace", 1, (_h(14), _h(16, 30)), SCHOOL,
              "Une balade facile autour du village, avec les aînés et les familles.",
              capacity=20, registration_required=True, in_week=True,
              registrations=[("Nadia Berberat", "079 000 00 02", 2), ("Paul Crevoisier", "", 1)]),
    DemoEvent("Atelier cuisine des voisins", "brise_glace", 2, (_h(17), _h(21)), HALL,
              "On cuisine ensemble un repas de saison, puis on le partage.",
              capacity=8, registration_required=True, in_week=True,
              registrations=[("Élise Voirol", "elise.voirol@example.ch", 2),
                             ("Famille Nusbaumer", "032 422 00 03", 4),
                             ("Hugo Cattin", "", 2),
                             ("Sophie Joliat", "sophie.joliat@example.ch", 2)]),  # on the waiting list
    DemoEvent("Soirée jeux de société", "brise_glace", 3, (_h(19), _h(22)), HALL,
              "Des jeux pour tous les âges ; débutants bienvenus.",
              capacity=24, registration_required=True, in_week=True,
              registrations=[("Thomas Schaller", "", 3)]),
    DemoEvent("Repas canadien", "brise_glace", 5, (_h(12), _h(15)), HALL,
              "Chacun apporte un plat à partager. Boissons offertes.",
              capacity=60, registration_required=True, in_week=True),
    DemoEvent("Forum citoyen : vivre ensemble à Courtételle", "forum_citoyen", 60, (_h(18, 30), _h(21)), HALL,
              "Les résultats du sondage sur la qualité de vie, et vos idées pour la suite.",
              capacity=80, registration_required=True),
)


def _moment(day: date, at: clock) -> datetime:
    return datetime.combine(day, at, ZURICH).astimezone(timezone.utc)


def _week_monday(today: date) -> date:
    """The Monday of the ice-breaker week: at least two weeks ahead."""
    start = today + timedelta(days=14)
    return start + timedelta(days=(7 - start.weekday()) % 7)


def seed(runtime: ServiceRuntime, wait_s: float = 60.0, partners_in_background: bool = True,
         commune: str = COMMUNE) -> bool:
    """Seed what is missing; returns True if anything was added. (`commune`: for tests.)"""
    return Seeding(runtime, commune).run(wait_s, partners_in_background)


def attach_partners(runtime: ServiceRuntime, wait_s: float = 120.0, commune: str = COMMUNE) -> bool:
    """Once two of the commune's partners are known, they co-organise the ice-breaker week's
    events that have no partner yet. True if it attached them."""
    return Seeding(runtime, commune).attach_partners(wait_s)


class Seeding:
    def __init__(self, runtime: ServiceRuntime, slug: str):
        self.runtime, self.slug = runtime, slug

    def run(self, wait_s: float, partners_in_background: bool) -> bool:
        if not self._wait_for_commune(wait_s):
            log.warning("events demo not seeded: %s is not known yet (programme's events not consumed)",
                        self.slug)
            return False
        today = utcnow().astimezone(ZURICH).date()
        added, series_id = self._ensure_series()
        created_in_week = False
        for spec in EVENTS:
            first_day = _week_monday(today) if spec.in_week else today
            event_id, created = self._ensure_event(spec, first_day + timedelta(days=spec.day),
                                                   series_id if spec.in_week else None)
            created_in_week |= created and spec.in_week
            added |= created
            added |= self._ensure_history(spec, event_id)
        if created_in_week and partners_in_background:
            threading.Thread(target=self.attach_partners, args=(120.0,), name="events-demo-partners",
                             daemon=True).start()
        return added

    def _wait_for_commune(self, wait_s: float) -> bool:
        deadline = time.monotonic() + wait_s
        while True:
            with self.runtime.unit_of_work() as uow:
                if repo.communes(uow.session, (self.slug,)):
                    return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)

    def _ensure_series(self) -> tuple[bool, str]:
        with self.runtime.unit_of_work() as uow:
            commune = repo.commune_by_slug(uow.session, self.slug)
            existing = next((s for s in repo.all_series(uow.session, commune) if s.title == WEEK), None)
            if existing:
                return False, existing.id
            series = handlers.create_series(uow, self.slug, WEEK, "Une semaine d'événements pour se "
                                            "rencontrer entre voisins, organisée avec nos partenaires.")
            return True, series.id

    def _find(self, uow, title: str):
        commune = repo.commune_by_slug(uow.session, self.slug)
        return next((e for e in repo.events(uow.session, commune) if e.title == title), None)

    def _ensure_event(self, spec: DemoEvent, day: date, series_id: str | None) -> tuple[str, bool]:
        starts_at, ends_at = _moment(day, spec.hours[0]), _moment(day, spec.hours[1])
        with self.runtime.unit_of_work() as uow:
            existing = self._find(uow, spec.title)
            if existing:
                return existing.id, False
            commune = repo.commune_by_slug(uow.session, self.slug)
            partners = [p.partner_id for p in repo.partners(uow.session, commune)][:2] if spec.in_week else []
            name, address, access = spec.place
            row = handlers.schedule_event(
                uow, self.slug, now=min(utcnow(), starts_at - timedelta(days=21)), kind=spec.kind,
                title=spec.title, description=spec.description, starts_at=starts_at, ends_at=ends_at,
                place_name=name, place_address=address, accessibility_notes=access, capacity=spec.capacity,
                registration_required=spec.registration_required, phase=model.USUAL_PHASE[spec.kind],
                series_id=series_id, partner_ids=partners)
            return row.id, True

    def _ensure_history(self, spec: DemoEvent, event_id: str) -> bool:
        """Registrations, then (for a past event) attendance and feedback, each if missing."""
        added = False
        with self.runtime.unit_of_work() as uow:
            row = self._find(uow, spec.title)
            starts_at, ends_at, status = row.starts_at, row.ends_at, row.status
            registered = bool(repo.registrations(uow.session, row))
            answered = bool(repo.feedback(uow.session, row))
        if spec.registrations and not registered and status == model.SCHEDULED:
            for offset, (name, contact, people) in enumerate(spec.registrations):
                at = min(utcnow(), starts_at - timedelta(days=10)) + timedelta(minutes=offset)
                with self.runtime.unit_of_work() as uow:
                    handlers.register(uow, self.slug, event_id, name, people, contact, waiting_list=True, now=at)
            added = True
        if spec.head_count is not None and status == model.SCHEDULED and ends_at < utcnow():
            with self.runtime.unit_of_work() as uow:
                came = [r.id for r in repo.registrations(uow.session, self._find(uow, spec.title))][:spec.came]
                handlers.record_attendance(uow, self.slug, event_id, spec.head_count,
                                           came if spec.registrations else None, now=ends_at)
            added = True
        if spec.feedback and not answered and ends_at < utcnow():
            for offset, (satisfaction, met, comment) in enumerate(spec.feedback):
                with self.runtime.unit_of_work() as uow:
                    handlers.record_feedback(uow, self.slug, event_id, satisfaction, met, comment,
                                             now=ends_at + timedelta(hours=offset + 1))
            added = True
        return added

    def attach_partners(self, wait_s: float) -> bool:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            with self.runtime.unit_of_work() as uow:
                commune = repo.commune_by_slug(uow.session, self.slug)
                partners = [p.partner_id for p in repo.partners(uow.session, commune)][:2]
                week = next((s for s in repo.all_series(uow.session, commune) if s.title == WEEK), None)
                bare = [e.id for e in repo.events(uow.session, commune, series_id=week.id)
                        if not e.partner_ids and e.status == model.SCHEDULED and e.starts_at > utcnow()]
            if len(partners) == 2:
                for event_id in bare:
                    with self.runtime.unit_of_work() as uow:
                        handlers.update_event(uow, self.slug, event_id, partner_ids=partners)
                return bool(bare)
            time.sleep(1.0)
        log.info("no partners of %s known yet: the ice-breaker week keeps none", self.slug)
        return False
