"""The partners' tables. Every tenant table carries commune_id and every query filters on it;
`partners` is the one exception: a regional partner (commune_id NULL) belongs to the region,
and each commune reaches it through its own row in `partnerships`."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.contracts.envelope import utcnow
from shared.db.engine import service_metadata
from shared.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


class Commune(Base):
    """Known from programme.CommuneOnboarded; a row may come first from another service's
    event (then `onboarded` is False until programme's event arrives)."""
    __tablename__ = "communes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)


class Partner(Base):
    """An organisation: local to one commune, or regional (commune_id NULL)."""
    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("commune_id", "name_key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"), index=True)
    regional: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    themes: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Partnership(Base):
    """A commune working with a partner: its status, roles and notes."""
    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("commune_id", "partner_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    status_since: Mapped[date] = mapped_column(Date)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    partner: Mapped[Partner] = relationship(lazy="joined")


class StatusChange(Base):
    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    partnership: Mapped[Partnership] = relationship()


class Contact(Base):
    """A contact person: personal data, shown to the commune's coordinators only, never in
    an event, deleted (not hidden) on request."""
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    function: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    partnership: Mapped[Partnership] = relationship()


class EngagementNote(Base):
    __tablename__ = "engagement_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    happened_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Link(Base):
    """A partner linked to another partner, an event or an action. `origin` says who drew
    it: the commune here, or another service (events, programme) whose events told us."""
    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("commune_id", "partner_id", "target_type", "target_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str] = mapped_column(String(64))
    relation: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))
    linked_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Activity(Base):
    """An event (events service) or an action (programme service) of the commune, as their
    events described it: what a partner can be linked to."""
    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("commune_id", "kind", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "event" or "action"
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(60), default="")  # the event's kind
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class PartnerImport(Base):
    """A checked upload waiting for its confirmation; deleted once confirmed, and after a
    day if never confirmed (its rows may name contact persons)."""
    __tablename__ = "partner_imports"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    headers: Mapped[list] = mapped_column(JSON)
    rows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
