"""The events service's tables. Every tenant table carries commune_id; every query filters on it.

`communes` and `partners` are what this service learned from the programme's and the
partners' events; the rest it owns. Residents' names and contacts live in `registrations`
only, until the retention job erases them.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.contracts.envelope import utcnow
from shared.db.engine import service_metadata
from shared.db.types import UtcDateTime


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = service_metadata()


class Commune(Base):
    __tablename__ = "communes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    current_phase: Mapped[int | None] = mapped_column(Integer)


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("commune_id", "partner_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once the partnership ended


class Series(Base):
    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("commune_id", "title"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CommunityEvent(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_commune_id_starts_at", "commune_id", "starts_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    series_id: Mapped[str | None] = mapped_column(ForeignKey("series.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    place_name: Mapped[str] = mapped_column(String(200))
    place_address: Mapped[str] = mapped_column(String(300), default="")
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_required: Mapped[bool] = mapped_column(Boolean, default=False)
    phase: Mapped[int] = mapped_column(Integer)
    partner_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    head_count: Mapped[int | None] = mapped_column(Integer)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The event's public feedback link; unguessable, so only the people given it answer.
    feedback_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Registration(Base):
    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # also the waiting list's order
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    # The person's own link to their registration; NULL once the contacts are erased.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(200))
    party_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    attended: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class FeedbackAnswer(Base):
    __tablename__ = "feedback_answers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    satisfaction: Mapped[int] = mapped_column(Integer)
    met_someone_new: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
