"""Reporting's read models. Everything here is built from events and can be rebuilt.

Every projection row carries the `generation` it belongs to: a rebuild fills the next
generation while the active one keeps serving, then one transaction switches them
(see service_layer/generations.py). Queries always read the active generation.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db.engine import service_metadata
from shared.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


class ProjectionState(Base):
    """One row: which generation serves, which consumer group feeds it, and any rebuild."""
    __tablename__ = "projection_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    active_generation: Mapped[int] = mapped_column(Integer)
    active_group: Mapped[str] = mapped_column(String(100))
    building_generation: Mapped[int | None] = mapped_column(Integer)
    building_group: Mapped[str | None] = mapped_column(String(100))
    switched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GateCriterion(Base):
    """The region's setting of one phase-gate criterion (defaults live in domain/gates.py)."""
    __tablename__ = "gate_criteria"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    threshold: Mapped[float] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean)


class _Projection:
    # First in the table and so in its primary key: every read asks for one generation's
    # rows of one commune (or all communes), and that key's index then finds them.
    generation: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    commune: Mapped[str] = mapped_column(String(100), primary_key=True, sort_order=-1)


class CommuneView(_Projection, Base):
    __tablename__ = "rp_communes"
    name: Mapped[str] = mapped_column(String(120))
    canton: Mapped[str] = mapped_column(String(2))
    population: Mapped[int] = mapped_column(Integer)
    onboarded_on: Mapped[date] = mapped_column(Date)


class Freshness(_Projection, Base):
    """The newest event applied for a commune: the dashboard's "data as of"."""
    __tablename__ = "rp_freshness"
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)


class PhaseView(_Projection, Base):
    __tablename__ = "rp_phases"
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ActivityView(_Projection, Base):
    __tablename__ = "rp_activities"
    phase: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity: Mapped[str] = mapped_column(String(60), primary_key=True)
    done: Mapped[bool] = mapped_column(Boolean)


class ThemeView(_Projection, Base):
    __tablename__ = "rp_themes"
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class ObjectiveView(_Projection, Base):
    __tablename__ = "rp_objectives"
    objective_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme_id: Mapped[int | None] = mapped_column(Integer)
    indicator: Mapped[str | None] = mapped_column(String(60))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)


class ActionView(_Projection, Base):
    __tablename__ = "rp_actions"
    action_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    partner_ids: Mapped[list] = mapped_column(JSON)
    event_ids: Mapped[list] = mapped_column(JSON)


class CommunityEventView(_Projection, Base):
    """A community event (events service) with its latest counts."""
    __tablename__ = "rp_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    series_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    phase: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    partner_ids: Mapped[list] = mapped_column(JSON, default=list)
    registered_people: Mapped[int] = mapped_column(Integer, default=0)
    waiting_people: Mapped[int] = mapped_column(Integer, default=0)
    head_count: Mapped[int | None] = mapped_column(Integer)
    feedback_responses: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_total: Mapped[int] = mapped_column(Integer, default=0)
    met_someone_new: Mapped[int] = mapped_column(Integer, default=0)


class PartnerView(_Projection, Base):
    """A partner of the commune's network (partners service), as it stands."""
    __tablename__ = "rp_partners"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    regional: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[date] = mapped_column(Date)
    active_since: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class SurveyView(_Projection, Base):
    __tablename__ = "rp_surveys"
    survey_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template: Mapped[str | None] = mapped_column(String(60))
    follow_up_of: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="published")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responses: Mapped[int] = mapped_column(Integer, default=0)


class SurveyAnswerCount(_Projection, Base):
    """How many respondents of a survey answered a question ("") and how many of them gave
    an answer an indicator counts (the indicator's key): a share's two terms."""
    __tablename__ = "rp_survey_answers"
    survey_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(60), primary_key=True)
    answer: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


PROJECTIONS = (SurveyView, SurveyAnswerCount, CommunityEventView, PartnerView, CommuneView, Freshness, PhaseView, ActivityView, ThemeView, ObjectiveView, ActionView)
