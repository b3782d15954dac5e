"""iCalendar feeds (RFC 5545) of a commune's agenda and of one event, times in Europe/Zurich
with their VTIMEZONE, so a phone's calendar shows them right whatever its own zone."""
from __future__ import annotations

from datetime import datetime

from flask import Response
from flask_babel import gettext as _
from icalendar import Calendar, Event as CalendarEvent, vText

from events.config import ZURICH

PRODUCT = "-//Regional social services//ASP events//FR"
STATUS = {"scheduled": "CONFIRMED", "held": "CONFIRMED", "cancelled": "CANCELLED"}


def _entry(view: dict, url: str, stamp: datetime) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"{view['id']}@asp-events")
    entry.add("dtstamp", stamp)
    entry.add("last-modified", view["updated_at"])
    entry.add("dtstart", view["starts_at"].astimezone(ZURICH))
    entry.add("dtend", view["ends_at"].astimezone(ZURICH))
    summary = view["title"] if view["status"] != "cancelled" else _("Cancelled: %(title)s", title=view["title"])
    entry.add("summary", summary)
    entry.add("location", vText(", ".join(part for part in (view["place_name"], view["place_address"]) if part)))
    description = [view["description"]]
    if view["status"] == "cancelled" and view["cancel_reason"]:
        description.insert(0, _("Cancelled: %(reason)s", reason=view["cancel_reason"]))
    if view["accessibility_notes"]:
        description.append(_("Accessibility: %(notes)s", notes=view["accessibility_notes"]))
    entry.add("description", "\n\n".join(part for part in description if part))
    entry.add("status", STATUS[view["status"]])
    entry.add("url", url)
    return entry


def feed(name: str, views: list[dict], url_of, stamp: datetime) -> Response:
    """`url_of(view)`: the public page of an event, absolute."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Zurich")
    for view in views:
        calendar.add_component(_entry(view, url_of(view), stamp))
    calendar.add_missing_timezones()
    return Response(calendar.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=agenda.ics"})
