"""How each event changes the read models of one generation. Every handler is an upsert
keyed by ids from the event, so applying the history again gives the same rows.

Nothing is written while a batch's events are applied: the writes are gathered in order
and run at the end of the transaction (`flush`), runs of one statement as one executemany.
Every write touches one commune's rows only (its `part`): one commune's writes keep their
order, different communes' writes commute and share their statements' runs.
Counting (survey answers) and the "data as of" time are added up first and written with
one statement per table: they are most of the events and commutative, so the order inside
a batch does not matter for them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm import Session

from shared.contracts import Event
from shared.db.upsert import Writes
from shared.messaging.inbox import Handler

from reporting.adapters.orm import (ActionView, ActivityView, CommuneView, CommunityEventView, Freshness,
                                    ObjectiveView, PartnerView, PhaseView, SurveyAnswerCount, SurveyView,
                                    ThemeView)
from reporting.domain.indicators import INDICATORS, QUESTIONS

PENDING = "reporting.pending"


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _on(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _code(value) -> str:
    """An answer as the indicators name it: option codes as they are, numbers without ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# A reopened phase sends a later phase in progress back to pending, as programme does.
LATER_PHASES_BACK = update(PhaseView.__table__).where(and_(
    PhaseView.generation == bindparam("key_generation"), PhaseView.commune == bindparam("key_commune"),
    PhaseView.number > bindparam("key_number"), PhaseView.status == "active",
)).values(status="pending", started_at=None)


@dataclass
class Pending:
    """What a transaction's events add up to, written by Projector.flush."""
    writes: Writes
    answers: Counter = field(default_factory=Counter)     # (commune, survey, question, answer) -> n
    responses: Counter = field(default_factory=Counter)   # (commune, survey, template, follow_up_of) -> n
    as_of: dict = field(default_factory=dict)             # commune -> newest occurred_at


class Projector:
    """The handlers for one generation, by event type, and the flush that ends each transaction."""

    def __init__(self, generation: int):
        self.generation = generation

    def handlers(self) -> dict[str, Handler]:
        own = {
            "programme.CommuneOnboarded": self.commune_onboarded,
            "programme.PhaseStarted": self.phase_started,
            "programme.PhaseCompleted": self.phase_completed,
            "programme.PhaseReopened": self.phase_reopened,
            "programme.ActivityChecked": self.activity_checked,
            "programme.ThemeDefined": self.theme_defined,
            "programme.ObjectiveSet": self.objective_set,
            "programme.ActionLaunched": self.action_saved,
            "programme.ActionUpdated": self.action_saved,
            "events.EventScheduled": self.event_saved,
            "events.EventUpdated": self.event_saved,
            "events.EventCancelled": self.event_cancelled,
            "events.RegistrationCounted": self.registrations_counted,
            "events.AttendanceRecorded": self.attendance_recorded,
            "events.FeedbackRecorded": self.feedback_recorded,
            "surveys.SurveyPublished": self.survey_published,
            "surveys.ResponseSubmitted": self.response_submitted,
            "surveys.SurveyClosed": self.survey_closed,
            "surveys.SurveyReopened": self.survey_reopened,
            "partners.PartnerRegistered": self.partner_registered,
            "partners.PartnerUpdated": self.partner_updated,
            "partners.PartnershipStatusChanged": self.partnership_status_changed,
            "partners.PartnershipEnded": self.partnership_ended,
        }
        return {event_type: self._stamped(handler) for event_type, handler in own.items()}

    def _stamped(self, handler):
        """Every event also moves its commune's "data as of" time forward."""
        def apply(session: Session, event: Event) -> None:
            handler(session, event)
            newest = _pending(session).as_of
            if event.commune not in newest or newest[event.commune] < event.occurred_at:
                newest[event.commune] = event.occurred_at
        return apply

    def flush(self, session: Session) -> None:
        pending = session.info.pop(PENDING, None)
        if pending is None:
            return
        g, writes = self.generation, pending.writes
        writes.upsert(SurveyView.__table__,
               [{"generation": g, "commune": c, "survey_id": s, "template": t, "follow_up_of": f,
                 "status": "published", "responses": n} for (c, s, t, f), n in pending.responses.items()],
               keys=("generation", "commune", "survey_id"), replace=(), add=("responses",))
        writes.upsert(SurveyAnswerCount.__table__,
               [{"generation": g, "commune": c, "survey_id": s, "question": q, "answer": a, "count": n}
                for (c, s, q, a), n in pending.answers.items()],
               keys=("generation", "commune", "survey_id", "question", "answer"), replace=(), add=("count",))
        writes.upsert(Freshness.__table__,
                      [{"generation": g, "commune": c, "as_of": at} for c, at in pending.as_of.items()],
                      keys=("generation", "commune"), replace=(), newest=("as_of",))
        writes.run(session.connection())

    def _key(self, event: Event) -> dict:
        return {"generation": self.generation, "commune": event.commune}

    def _put(self, session: Session, model, event: Event, keys: tuple[str, ...], **values) -> None:
        _writes(session).upsert(model.__table__, {**self._key(event), **values}, keys=("generation", "commune", *keys),
                                part=event.commune)

    # -- programme -----------------------------------------------------------------------
    def commune_onboarded(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, CommuneView, event, (), name=p["name"], canton=p["canton"],
                  population=p["population"], onboarded_on=_on(p["onboarded_on"]))
        _writes(session).upsert(PhaseView.__table__,
                                [{**self._key(event), "number": number, "status": "pending"} for number in range(1, 6)],
                                keys=("generation", "commune", "number"), replace=(), part=event.commune)

    def _set_phase(self, session: Session, event: Event, number: int, **values) -> None:
        _writes(session).update_where(PhaseView.__table__, {**self._key(event), "number": number}, values,
                                      part=event.commune)

    def phase_started(self, session: Session, event: Event) -> None:
        self._set_phase(session, event, event.payload["phase"], status="active",
                        started_at=_at(event.payload["started_at"]), completed_at=None)

    def phase_completed(self, session: Session, event: Event) -> None:
        self._set_phase(session, event, event.payload["phase"], status="completed",
                        completed_at=_at(event.payload["completed_at"]))

    def phase_reopened(self, session: Session, event: Event) -> None:
        number = event.payload["phase"]
        self._set_phase(session, event, number, status="active", completed_at=None)
        _writes(session).add(LATER_PHASES_BACK, {"key_generation": self.generation,
                                                 "key_commune": event.commune, "key_number": number},
                            part=event.commune)

    def activity_checked(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, ActivityView, event, ("phase", "activity"), phase=p["phase"],
                  activity=p["activity"], done=p["done"])

    def theme_defined(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, ThemeView, event, ("theme_id",), theme_id=p["theme_id"], title=p["title"])

    def objective_set(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, ObjectiveView, event, ("objective_id",), objective_id=p["objective_id"],
                  title=p["title"], theme_id=p["theme_id"], indicator=p["indicator"],
                  baseline=p["baseline"], target=p["target"])

    def action_saved(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, ActionView, event, ("action_id",), action_id=p["action_id"],
                  objective_id=p["objective_id"], title=p["title"], status=p["status"],
                  due_on=_on(p["due_on"]), partner_ids=p["partner_ids"], event_ids=p["event_ids"])

    # -- events --------------------------------------------------------------------------
    def _event_facts(self, event: Event) -> dict:
        p = event.payload
        return {"event_id": p["event_id"], "series_id": p["series_id"], "kind": p["kind"],
                "phase": p["phase"], "starts_at": _at(p["starts_at"])}

    def event_saved(self, session: Session, event: Event) -> None:
        p = event.payload
        self._put(session, CommunityEventView, event, ("event_id",), **self._event_facts(event),
                  title=p["title"], status=p["status"], partner_ids=p["partner_ids"])

    def _update_event(self, session: Session, event: Event, **values) -> None:
        """Counts may arrive for an event this generation has not seen scheduled (a rebuild
        started after it, say): create it from the facts every message carries."""
        row = {**self._key(event), **self._event_facts(event), "title": "", "status": "scheduled",
               "partner_ids": [], "registered_people": 0, "waiting_people": 0, "head_count": None,
               "feedback_responses": 0, "satisfaction_total": 0, "met_someone_new": 0, **values}
        _writes(session).upsert(CommunityEventView.__table__, row, keys=("generation", "commune", "event_id"),
                                replace=tuple(values), part=event.commune)

    def event_cancelled(self, session: Session, event: Event) -> None:
        self._update_event(session, event, status="cancelled")

    def registrations_counted(self, session: Session, event: Event) -> None:
        p = event.payload
        self._update_event(session, event, registered_people=p["registered_people"],
                           waiting_people=p["waiting_people"])

    def attendance_recorded(self, session: Session, event: Event) -> None:
        self._update_event(session, event, head_count=event.payload["head_count"], status="held")

    def feedback_recorded(self, session: Session, event: Event) -> None:
        p = event.payload
        self._update_event(session, event, feedback_responses=p["responses"],
                           satisfaction_total=p["satisfaction_total"], met_someone_new=p["met_someone_new_count"])

    # -- surveys -------------------------------------------------------------------------
    def _survey(self, session: Session, event: Event, **values) -> None:
        p = event.payload
        _writes(session).upsert(SurveyView.__table__,
                                {**self._key(event), "survey_id": p["survey_id"], "template": p["template"],
                                 "follow_up_of": p["follow_up_of"], "responses": 0, "status": "published", **values},
                                keys=("generation", "commune", "survey_id"), replace=tuple(values),
                                part=event.commune)

    def survey_published(self, session: Session, event: Event) -> None:
        self._survey(session, event, status="published", published_at=_at(event.payload["published_at"]))

    def survey_closed(self, session: Session, event: Event) -> None:
        # The count of responses is the responses counted: a closure's figure would double
        # what the same batch is still adding up.
        self._survey(session, event, status="closed", closed_at=_at(event.payload["closed_at"]))

    def survey_reopened(self, session: Session, event: Event) -> None:
        self._survey(session, event, status="published", closed_at=None)

    def response_submitted(self, session: Session, event: Event) -> None:
        """Counts only what the indicators read; the surveys service keeps the rest."""
        p, pending = event.payload, _pending(session)
        survey = (event.commune, p["survey_id"])
        pending.responses[(*survey, p["template"], p["follow_up_of"])] += 1
        for question, answer in p["answers"].items():
            if question not in QUESTIONS:
                continue
            given = {_code(value) for value in (answer if isinstance(answer, list) else [answer])}
            pending.answers[(*survey, question, "")] += 1
            for indicator in INDICATORS:  # a respondent counts once, however many options match
                if indicator.question == question and given & indicator.answers:
                    pending.answers[(*survey, question, indicator.key)] += 1

    # -- partners ------------------------------------------------------------------------
    def partner_registered(self, session: Session, event: Event) -> None:
        p = event.payload
        on = _on(p["registered_on"])
        self._put(session, PartnerView, event, ("partner_id",), partner_id=p["partner_id"], name=p["name"],
                  kind=p["kind"], regional=p["regional"], status=p["status"], registered_on=on,
                  active_since=on if p["status"] == "active" else None, ended_on=None)

    def _set_partner(self, session: Session, event: Event, **values) -> None:
        _writes(session).update_where(PartnerView.__table__,
                                      {**self._key(event), "partner_id": event.payload["partner_id"]}, values,
                                      part=event.commune)

    def partner_updated(self, session: Session, event: Event) -> None:
        p = event.payload
        self._set_partner(session, event, name=p["name"], kind=p["kind"], regional=p["regional"])

    def partnership_status_changed(self, session: Session, event: Event) -> None:
        p = event.payload
        values = {"status": p["status"]}
        if p["status"] == "active":
            values["active_since"] = _on(p["changed_on"])
        elif p["previous_status"] == "active":
            values["active_since"] = None
        self._set_partner(session, event, **values)

    def partnership_ended(self, session: Session, event: Event) -> None:
        self._set_partner(session, event, ended_on=_on(event.payload["ended_on"]), active_since=None)


def _pending(session: Session) -> Pending:
    """Kept on the session: a rolled-back transaction takes its gathered work with it."""
    pending = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = Pending(Writes(session.get_bind().dialect.name))
    return pending


def _writes(session: Session) -> Writes:
    return _pending(session).writes
