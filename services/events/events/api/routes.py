"""The events service's JSON API for staff: /events/api/v1/communes/<commune>/…"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from shared.http.auth import commune_access

from events.adapters import repository as repo
from events.api import schemas
from events.api.access import contacts_access, uow
from events.service_layer import handlers, views

communes_blp = Blueprint("communes", __name__, url_prefix="/communes",
                         description="A commune's community events, series, registrations, attendance and feedback")


def _event_view(work, commune: str, row) -> dict:
    return views.event_view(work.session, repo.commune_by_slug(work.session, commune), row)


def _series_view(work, commune_row, series) -> dict:
    events = [views.event_view(work.session, commune_row, row)
              for row in repo.events(work.session, commune_row, series_id=series.id)]
    return {"id": series.id, "title": series.title, "description": series.description, "events": events}


# -- partners and series ---------------------------------------------------------------------
@communes_blp.route("/<commune>/partners")
@commune_access()
@communes_blp.response(200, schemas.PartnerSchema(many=True))
def list_partners(commune):
    """The commune's partners, as the partners service announced them: the ids events accept"""
    with uow() as work:
        return repo.partners(work.session, repo.commune_by_slug(work.session, commune))


@communes_blp.route("/<commune>/series")
class SeriesCollection(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.SeriesWithEventsSchema(many=True))
    def get(self, commune):
        """Series of events (e.g. the ice-breaker week), each with its events"""
        with uow() as work:
            commune_row = repo.commune_by_slug(work.session, commune)
            return [_series_view(work, commune_row, s) for s in repo.all_series(work.session, commune_row)]

    @commune_access(write=True)
    @communes_blp.arguments(schemas.SeriesCreateSchema)
    @communes_blp.response(201, schemas.SeriesSchema)
    def post(self, body, commune):
        """Create a series"""
        with uow() as work:
            return handlers.create_series(work, commune, body["title"], body["description"])


@communes_blp.route("/<commune>/series/<series_id>")
class SeriesItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.SeriesWithEventsSchema)
    def get(self, commune, series_id):
        """One series with its events"""
        with uow() as work:
            commune_row = repo.commune_by_slug(work.session, commune)
            return _series_view(work, commune_row, repo.series(work.session, commune_row, series_id))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.SeriesUpdateSchema)
    @communes_blp.response(200, schemas.SeriesSchema)
    def patch(self, body, commune, series_id):
        """Rename or describe a series"""
        with uow() as work:
            return handlers.update_series(work, commune, series_id, **body)


# -- events ----------------------------------------------------------------------------------
@communes_blp.route("/<commune>/events")
class Events(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.EventSchema(many=True))
    def get(self, commune):
        """Every event of the commune, in time order, with its counts"""
        with uow() as work:
            return views.agenda(work.session, repo.commune_by_slug(work.session, commune), since=None)

    @commune_access(write=True)
    @communes_blp.arguments(schemas.EventCreateSchema)
    @communes_blp.response(201, schemas.EventSchema)
    def post(self, body, commune):
        """Schedule an event (publishes events.EventScheduled)"""
        with uow() as work:
            return _event_view(work, commune, handlers.schedule_event(work, commune, **body))


@communes_blp.route("/<commune>/events/<event_id>")
class EventItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.EventSchema)
    def get(self, commune, event_id):
        """One event with its counts, partners and feedback summary"""
        with uow() as work:
            commune_row = repo.commune_by_slug(work.session, commune)
            return views.event_view(work.session, commune_row, repo.event(work.session, commune_row, event_id))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.EventUpdateSchema)
    @communes_blp.response(200, schemas.EventSchema)
    def patch(self, body, commune, event_id):
        """Change an event (publishes events.EventUpdated); a held event keeps its date"""
        with uow() as work:
            return _event_view(work, commune, handlers.update_event(work, commune, event_id, **body))


@communes_blp.route("/<commune>/events/<event_id>/cancel", methods=["POST"])
@commune_access(write=True)
@communes_blp.arguments(schemas.CancelSchema)
@communes_blp.response(200, schemas.EventSchema)
def cancel_event(body, commune, event_id):
    """Cancel an event, with the reason shown to the public (publishes events.EventCancelled)"""
    with uow() as work:
        return _event_view(work, commune, handlers.cancel_event(work, commune, event_id, body["reason"]))


# -- registrations (the commune's coordinators only) -----------------------------------------
def _registration_views(work, commune: str, event_id: str) -> list[dict]:
    row = repo.event(work.session, repo.commune_by_slug(work.session, commune), event_id)
    registrations = repo.registrations(work.session, row)
    return [views.registration_view(r, registrations) for r in registrations]


def _one(work, commune: str, event_id: str, registration_id: int) -> dict:
    return next(r for r in _registration_views(work, commune, event_id) if r["id"] == registration_id)


@communes_blp.route("/<commune>/events/<event_id>/registrations")
class Registrations(MethodView):
    @contacts_access
    @communes_blp.response(200, schemas.RegistrationSchema(many=True))
    def get(self, commune, event_id):
        """Registrations and the waiting list, with names and contacts (coordinators only)"""
        with uow() as work:
            return _registration_views(work, commune, event_id)

    @contacts_access
    @communes_blp.arguments(schemas.RegistrationCreateSchema)
    @communes_blp.response(201, schemas.RegistrationSchema)
    def post(self, body, commune, event_id):
        """Register someone who asked by phone or in person (coordinators only)"""
        with uow() as work:
            registration = handlers.register(work, commune, event_id, **body)
            return _one(work, commune, event_id, registration.id)


@communes_blp.route("/<commune>/events/<event_id>/registrations/<int:registration_id>/cancel",
                    methods=["POST"])
@contacts_access
@communes_blp.response(200, schemas.RegistrationSchema)
def cancel_registration(commune, event_id, registration_id):
    """Cancel a registration for someone; the waiting list moves up (coordinators only)"""
    with uow() as work:
        handlers.cancel_registration(work, commune, event_id, registration_id)
        return _one(work, commune, event_id, registration_id)


# -- what happened ---------------------------------------------------------------------------
@communes_blp.route("/<commune>/events/<event_id>/attendance", methods=["PUT"])
@commune_access(write=True)
@communes_blp.arguments(schemas.AttendanceSchema)
@communes_blp.response(200, schemas.EventSchema)
def record_attendance(body, commune, event_id):
    """Record who came: a head count, optionally who of the registered (the event is then held)"""
    with uow() as work:
        return _event_view(work, commune, handlers.record_attendance(work, commune, event_id, **body))


@communes_blp.route("/<commune>/events/<event_id>/feedback")
class Feedback(MethodView):
    @commune_access(write=True)
    @communes_blp.response(200, schemas.FeedbackListSchema)
    def get(self, commune, event_id):
        """The participants' feedback with its comments (staff who run the commune's events)"""
        with uow() as work:
            row = repo.event(work.session, repo.commune_by_slug(work.session, commune), event_id)
            answers = repo.feedback(work.session, row)
            return {**views.feedback_summary(answers), "answers": answers}

    @commune_access(write=True)
    @communes_blp.arguments(schemas.FeedbackCreateSchema)
    @communes_blp.response(201, schemas.FeedbackSchema)
    def post(self, body, commune, event_id):
        """Enter a participant's feedback (from a paper form, say)"""
        with uow() as work:
            return handlers.record_feedback(work, commune, event_id, **body)
