"""The five phases of the programme, as the pilot (Courtételle, 2022) defined them.
Shared: the programme service runs them, reporting measures time in phase against plan."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Activity:
    key: str
    labels: dict[str, str]


@dataclass(frozen=True)
class PhaseDefinition:
    number: int
    key: str
    labels: dict[str, str]
    goals: dict[str, str]
    planned_months: tuple[int, int] | None  # None: "depends on the actions"
    activities: tuple[Activity, ...]

    def label(self, language: str) -> str:
        return self.labels.get(language, self.labels["fr"])

    def activity(self, key: str) -> Activity | None:
        return next((a for a in self.activities if a.key == key), None)


def _a(key: str, fr: str, de: str, en: str) -> Activity:
    return Activity(key, {"fr": fr, "de": de, "en": en})


PHASES: tuple[PhaseDefinition, ...] = (
    PhaseDefinition(
        1, "prepare",
        {"fr": "Préparer et ancrer", "de": "Vorbereiten und verankern", "en": "Prepare and anchor"},
        {"fr": "Clarifier le projet auprès des autorités.",
         "de": "Das Projekt mit den Behörden klären.",
         "en": "Clarify the project with the authorities."},
        (6, 8),
        (_a("working_group", "Mise sur pied d'un groupe de travail interne",
            "Interne Arbeitsgruppe bilden", "Set up an internal working group"),
         _a("concept", "Élaboration d'un concept", "Konzept erarbeiten", "Write a concept"),
         _a("negotiation", "Négociation avec la commune", "Verhandlung mit der Gemeinde",
            "Negotiate with the commune"),
         _a("authorities", "Clarifier le projet auprès des autorités",
            "Projekt mit den Behörden klären", "Clarify the project with the authorities"))),
    PhaseDefinition(
        2, "analyse",
        {"fr": "Analyser et mobiliser", "de": "Analysieren und mobilisieren", "en": "Analyse and mobilise"},
        {"fr": "Faire un état des lieux de la qualité de vie.",
         "de": "Eine Bestandesaufnahme der Lebensqualität machen.",
         "en": "Take stock of the quality of life."},
        (6, 8),
        (_a("public_chats", "Papotages publics", "Öffentliche Plaudereien", "Public chats"),
         _a("survey", "Élaboration d'un sondage sur la qualité de vie",
            "Umfrage zur Lebensqualität erarbeiten", "Build a quality-of-life survey"),
         _a("ice_breaker_week", "Mise sur pied d'une semaine d'événements « brise-glace »",
            "Eine Woche mit «Eisbrecher»-Anlässen organisieren", "Hold an ice-breaker week"))),
    PhaseDefinition(
        3, "elaborate",
        {"fr": "Élaborer", "de": "Erarbeiten", "en": "Elaborate"},
        {"fr": "Fixer des objectifs et des actions.", "de": "Ziele und Massnahmen festlegen.",
         "en": "Set objectives and actions."},
        (6, 8),
        (_a("citizen_forum", "Mettre en place un forum citoyen", "Ein Bürgerforum durchführen",
            "Hold a citizen forum"),
         _a("themes", "Consolider les axes ressortis du sondage",
            "Die Schwerpunkte aus der Umfrage festigen", "Consolidate the themes from the survey"),
         _a("objectives", "Fixer des objectifs et des actions", "Ziele und Massnahmen festlegen",
            "Set objectives and actions"))),
    PhaseDefinition(
        4, "implement",
        {"fr": "Adopter et mettre en œuvre", "de": "Verabschieden und umsetzen",
         "en": "Adopt and implement"},
        {"fr": "Définir les priorités et engager des projets.",
         "de": "Prioritäten festlegen und Projekte starten.",
         "en": "Define priorities and launch projects."},
        None,
        (_a("priorities", "Définir les priorités", "Prioritäten festlegen", "Define priorities"),
         _a("projects", "Engager des projets", "Projekte starten", "Launch projects"))),
    PhaseDefinition(
        5, "evaluate",
        {"fr": "Évaluer", "de": "Evaluieren", "en": "Evaluate"},
        {"fr": "Évaluer le projet et les actions.", "de": "Das Projekt und die Massnahmen evaluieren.",
         "en": "Evaluate the project and the actions."},
        (6, 6),
        (_a("evaluate_project", "Évaluer le projet", "Das Projekt evaluieren", "Evaluate the project"),
         _a("evaluate_actions", "Évaluer les actions", "Die Massnahmen evaluieren",
            "Evaluate the actions"))),
)


def phase_definition(number: int) -> PhaseDefinition | None:
    return PHASES[number - 1] if 1 <= number <= len(PHASES) else None
