"""The surveys service's tables. Every tenant table carries the commune's slug.

Anonymity shapes them: a response has a random id (no order of arrival), a date and no
time, its channel and its answers — no address, no browser, no account. The browsers that
answered are a separate table of keyed hashes with no time and no link to any response.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.contracts.envelope import utcnow
from shared.db.engine import service_metadata
from shared.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


class Commune(Base):
    """What the programme service said about a commune (programme.CommuneOnboarded)."""
    __tablename__ = "communes"
    slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    population: Mapped[int] = mapped_column(Integer)


class Template(Base):
    """Templates added by the regional staff; the built-in ones live in domain/catalogue.py."""
    __tablename__ = "templates"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON)
    questions: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Survey(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON)
    template_key: Mapped[str | None] = mapped_column(String(60))
    follow_up_of: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    questions: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    token: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_survey_day", "survey_id", "submitted_on"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    commune: Mapped[str] = mapped_column(String(60), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    submitted_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict] = mapped_column(JSON)


class AnsweredBrowser(Base):
    """A keyed hash per (survey, browser nonce): the same browser cannot answer twice."""
    __tablename__ = "answered_browsers"
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    commune: Mapped[str] = mapped_column(String(60))


class ResultSnapshot(Base):
    """Results the coordinator chose to publish: which questions, counted up to which day."""
    __tablename__ = "result_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    commune: Mapped[str] = mapped_column(String(60))
    question_keys: Mapped[list] = mapped_column(JSON)
    as_of: Mapped[date] = mapped_column(Date)
    responses: Mapped[int] = mapped_column(Integer)
    results: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
