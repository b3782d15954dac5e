"""The demo of `make run`: Courtételle's partner network (a parish, the school, the youth
society, the municipal social service, a cantonal association as a regional partner…) in
various statuses with some links, a little of Delémont's, and the sample spreadsheet a
coordinator imports in the walk-through (demo/partenaires-courtetelle.xlsx).

The communes arrive through programme.CommuneOnboarded, which the partners consumer reads
while the demo is seeded: the seed waits for them a while. Each step looks at what is there
first, so a second run adds nothing. Contact persons are fictional (example.ch).
"""
from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

from shared.errors import DomainError
from shared.service import ServiceRuntime

from partners.adapters import repository as repo
from partners.adapters import spreadsheets
from partners.domain import model
from partners.service_layer import handlers, network, records

log = logging.getLogger(__name__)
SAMPLE = Path(__file__).resolve().parent / "demo" / "partenaires-courtetelle.xlsx"

REGIONAL = (
    # name, kind, themes, address
    ("Pro Senectute Arc jurassien", "association", ["aînés", "prévention", "proches aidants"], "Delémont"),
    ("Caritas Jura", "social_service", ["précarité", "intégration"], "Delémont"),
    ("Croix-Rouge jurassienne", "health", ["santé", "bénévolat", "proches aidants"], "Delémont"),
)

# name, kind, themes, status history [(status, day, reason)], roles, notes; regional ones by name only
COURTETELLE = (
    ("Paroisse catholique de Courtételle", "parish", ["aînés", "solidarité"],
     [("identified", date(2025, 9, 15), ""), ("contacted", date(2025, 10, 2), ""),
      ("engaged", date(2025, 11, 20), ""), ("active", date(2026, 1, 12), "")],
     ["venue", "relay"], "Prête la salle paroissiale pour les papotages."),
    ("École primaire de Courtételle", "school", ["enfance", "familles"],
     [("identified", date(2025, 9, 15), ""), ("contacted", date(2025, 12, 1), ""),
      ("engaged", date(2026, 3, 9), "")], ["relay"], "Distribue le sondage aux familles."),
    ("Société de jeunesse de Courtételle", "club", ["jeunesse", "fêtes de village"],
     [("identified", date(2025, 10, 1), ""), ("active", date(2026, 2, 14), "")],
     ["co_organiser"], "Co-organise la semaine brise-glace."),
    ("Service social communal", "social_service", ["précarité", "aînés"],
     [("active", date(2025, 9, 1), "")], ["expert", "relay"], ""),
    ("Association des parents d'élèves", "association", ["familles", "enfance"],
     [("identified", date(2026, 3, 9), ""), ("contacted", date(2026, 4, 2), "")], [], ""),
    ("Boulangerie du Village", "business", ["commerce local"],
     [("identified", date(2026, 4, 20), "")], ["funder"], "Pourrait offrir les croissants des papotages."),
    ("FC Courtételle", "club", ["sport", "jeunesse"],
     [("contacted", date(2025, 10, 10), ""), ("engaged", date(2025, 12, 5), ""),
      ("inactive", date(2026, 4, 1), "")], ["venue"], "En pause pendant la rénovation du terrain."),
)
COURTETELLE_REGIONAL = (("Pro Senectute Arc jurassien", [("identified", date(2025, 11, 3), ""),
                                                         ("contacted", date(2026, 1, 20), "")], ["expert"]),)
COURTETELLE_LINKS = (
    ("Paroisse catholique de Courtételle", "Société de jeunesse de Courtételle", "works_with"),
    ("École primaire de Courtételle", "Association des parents d'élèves", "introduced_by_us"),
    ("Service social communal", "Pro Senectute Arc jurassien", "works_with"),
    ("Service social communal", "Paroisse catholique de Courtételle", "works_with"),
)
COURTETELLE_CONTACTS = (
    ("Paroisse catholique de Courtételle", "Marie Exemple", "Secrétaire de paroisse",
     "marie.exemple@example.ch", "032 000 00 01"),
    ("Société de jeunesse de Courtételle", "Luca Modèle", "Président", "luca.modele@example.ch", ""),
)
COURTETELLE_NOTES = (
    ("Paroisse catholique de Courtételle", date(2025, 11, 20),
     "Rencontre avec le conseil de paroisse : accord pour la salle un mardi par mois."),
    ("Société de jeunesse de Courtételle", date(2026, 2, 14),
     "Séance de préparation de la semaine brise-glace ; la jeunesse tient la buvette."),
)
DELEMONT = (
    ("Centre de loisirs de Delémont", "association", ["jeunesse", "loisirs"],
     [("contacted", date(2026, 3, 16), "")], ["venue"], ""),
)
DELEMONT_REGIONAL = (("Pro Senectute Arc jurassien", [("engaged", date(2026, 3, 20), "")], ["co_organiser"]),)

# The walk-through's spreadsheet: Courtételle's other partners, as a commune keeps them
# (French headers; Caritas Jura is a regional partner, so that row joins it).
SAMPLE_HEADERS = ["Nom", "Type", "Adresse", "Site web", "Thèmes", "Statut", "Rôles", "Remarques",
                  "Contact", "E-mail", "Téléphone"]
SAMPLE_ROWS = [
    ["Chœur mixte Sainte-Cécile", "Société locale", "Rue de l'Église 2, 2852 Courtételle", "",
     "chant, rencontres", "Contacté", "Lieu", "", "", "", ""],
    ["Ludothèque de Courtételle", "Association", "Rue de la Liberté 15, 2852 Courtételle", "",
     "jeux, familles", "Identifié", "", "Ouverte le mercredi après-midi", "", "", ""],
    ["Samaritains de Courtételle", "Santé", "", "", "premiers secours", "Engagé", "Relais", "",
     "Anne Fictive", "anne.fictive@example.ch", "032 000 00 02"],
    ["Bibliothèque communale", "Service communal", "Route de Châtillon 1, 2852 Courtételle", "",
     "lecture, aînés", "Engagé", "Lieu, Relais", "", "", "", ""],
    ["Club des aînés", "Association", "", "", "aînés, repas", "Contacté", "Co-organisateur", "", "", "", ""],
    ["Gym Courtételle", "Club", "", "", "sport", "Identifié", "", "", "", "", ""],
    ["Épicerie du Village", "Entreprise", "Grand-Rue 8, 2852 Courtételle", "", "commerce local",
     "Identifié", "Financeur", "", "", "", ""],
    ["Caritas Jura", "Service social", "", "", "", "Identifié", "Expert", "Partenaire régional", "", "", ""],
]


def write_sample(path: Path = SAMPLE) -> None:
    """Writes the sample spreadsheet (the committed file is made by this)."""
    path.write_bytes(spreadsheets.xlsx_bytes(SAMPLE_HEADERS, SAMPLE_ROWS, "Partenaires"))


# -- seeding ---------------------------------------------------------------------------------
def _wait_for_communes(runtime: ServiceRuntime, slugs: tuple[str, ...], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        with runtime.unit_of_work() as uow:
            if len(repo.communes(uow.session, slugs)) == len(slugs):
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def _partner_id(runtime: ServiceRuntime, slug: str, name: str) -> str | None:
    with runtime.unit_of_work() as uow:
        commune = repo.commune_by_slug(uow.session, slug)
        key = model.name_key(name)
        return next((p.partner_id for p in repo.partnerships(uow.session, commune)
                     if p.partner.name_key == key), None)


def _follow_history(runtime: ServiceRuntime, slug: str, partner_id: str, history) -> bool:
    changed = False
    for status, day, reason in history[1:]:
        with runtime.unit_of_work() as uow:
            since = repo.partnership(uow.session, repo.commune_by_slug(uow.session, slug), partner_id).status_since
            if day > since:
                handlers.change_status(uow, slug, partner_id, status, reason, day)
                changed = True
    return changed


def _seed_regional(runtime: ServiceRuntime) -> bool:
    added = False
    for name, kind, themes, address in REGIONAL:
        with runtime.unit_of_work() as uow:
            if not any(p.name_key == model.name_key(name) for p in repo.regional_partners(uow.session)):
                handlers.register_regional(uow, name=name, kind=kind, themes=themes, address=address)
                added = True
    return added


def _seed_partners(runtime: ServiceRuntime, slug: str, locals_, regionals) -> bool:
    added = False
    for name, kind, themes, history, roles, notes in locals_:
        partner_id = _partner_id(runtime, slug, name)
        if partner_id is None:
            status, day, _reason = history[0]
            with runtime.unit_of_work() as uow:
                partner_id = handlers.add_partner(uow, slug, name=name, kind=kind, themes=themes, status=status,
                                                  status_since=day, roles=roles, notes=notes).partner_id
            added = True
        added |= _follow_history(runtime, slug, partner_id, history)
    for name, history, roles in regionals:
        partner_id = _partner_id(runtime, slug, name)
        if partner_id is None:
            with runtime.unit_of_work() as uow:
                regional = next(p for p in repo.regional_partners(uow.session) if p.name == name)
                status, day, _reason = history[0]
                partner_id = handlers.join_regional(uow, slug, regional.id, status=status, roles=roles,
                                                    status_since=day).partner_id
            added = True
        added |= _follow_history(runtime, slug, partner_id, history)
    return added


def _seed_courtetelle_extras(runtime: ServiceRuntime) -> bool:
    added, slug = False, "courtetelle"
    ids = {name: _partner_id(runtime, slug, name) for name, *_rest in COURTETELLE + COURTETELLE_REGIONAL}
    for first, second, relation in COURTETELLE_LINKS:
        with runtime.unit_of_work() as uow:
            try:
                network.create_link(uow, slug, ids[first], "partner", ids[second], relation)
                added = True
            except DomainError:
                pass  # linked already
    for partner, name, function, email, phone in COURTETELLE_CONTACTS:
        with runtime.unit_of_work() as uow:
            partnership = repo.partnership(uow.session, repo.commune_by_slug(uow.session, slug), ids[partner])
            if not any(c.name == name for c in repo.contacts(uow.session, partnership)):
                records.add_contact(uow, slug, ids[partner], name=name, function=function, email=email, phone=phone)
                added = True
    for partner, day, summary in COURTETELLE_NOTES:
        with runtime.unit_of_work() as uow:
            partnership = repo.partnership(uow.session, repo.commune_by_slug(uow.session, slug), ids[partner])
            if not any(n.summary == summary for n in repo.notes(uow.session, partnership)):
                records.add_note(uow, slug, ids[partner], day, summary)
                added = True
    return added


def seed(runtime: ServiceRuntime, wait_s: float = 30.0) -> bool:
    """Seed what is missing; returns True if anything was added."""
    if not _wait_for_communes(runtime, ("courtetelle", "delemont"), wait_s):
        log.warning("partners demo not seeded: the communes have not arrived from programme yet "
                    "(the next start seeds it)")
        return False
    added = _seed_regional(runtime)
    added |= _seed_partners(runtime, "courtetelle", COURTETELLE, COURTETELLE_REGIONAL)
    added |= _seed_courtetelle_extras(runtime)
    added |= _seed_partners(runtime, "delemont", DELEMONT, DELEMONT_REGIONAL)
    return added
