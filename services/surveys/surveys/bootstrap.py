"""The surveys service, wired: its tables, API, pages, the communes it learns from the
programme's events, and its demo. Everything else builds from this."""
from pathlib import Path

from flask import jsonify
from flask_babel import gettext as _

from shared.contracts import topic_of
from shared.http.errors import error_response, wants_html
from shared.http.rate_limit import RateLimiter
from shared.service import ServiceDefinition, Subscription

from surveys.adapters.orm import Base
from surveys.api.common import RATE_LIMITER
from surveys.api.pages import pages
from surveys.api.public_pages import public_pages
from surveys.api.routes import communes_blp, public_blp, templates_blp
from surveys.demo import seed
from surveys.service_layer import handlers


def configure_app(app, runtime) -> None:
    app.extensions[RATE_LIMITER] = RateLimiter.from_environment()

    @app.errorhandler(handlers.InvalidAnswers)
    def invalid_answers(error: handlers.InvalidAnswers):
        """Each answer's problem under its question's key: errors.json.answers.<key>."""
        problems = {key: [_(problem.message, **problem.params)] for key, problem in error.problems.items()}
        if wants_html():
            return error_response(422, _(error.message), {"answers": problems})
        body = {"code": 422, "status": _("Some fields are not valid."), "message": _(error.message),
                "errors": {"json": {"answers": problems}}}
        return jsonify(body), 422


definition = ServiceDefinition(
    name="surveys",
    metadata=Base.metadata,
    package_dir=Path(__file__).resolve().parent,
    api_blueprints=[templates_blp, communes_blp, public_blp],
    page_blueprints=[pages, public_pages],
    subscriptions=[Subscription(group="surveys-communes", topics=[topic_of("programme")],
                                handlers={"programme.CommuneOnboarded": handlers.record_commune})],
    configure_app=configure_app,
    seed_demo=seed,
)
