"""The Flask app factory every service uses: API, pages, errors, health, metrics, languages."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from flask import Flask, Response, g, jsonify, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.http.auth import TokenVerifier
from shared.http.errors import PlatformApi, register_error_handlers
from shared.http.i18n import LANGUAGES, init_i18n, select_language
from shared.http.keys import SESSION_SECRET, read_key
from shared.messaging.kafka import broker_reachable
from shared.messaging.outbox import backlog
from shared.observability import metrics
from shared.observability.context import reset_correlation_id, set_correlation_id

SHARED_HTTP = Path(__file__).resolve().parent
MAX_BODY_BYTES = 1024 * 1024
csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'none'")


def create_app(runtime) -> Flask:
    definition, settings = runtime.definition, runtime.settings
    name = definition.name
    app = Flask(name, static_folder=str(SHARED_HTTP / "static"), static_url_path=f"/{name}/static")
    app.config.update(
        SECRET_KEY=read_key(settings.keys_dir, SESSION_SECRET),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        # One cookie for every service's pages: signed with the shared secret, path "/".
        SESSION_COOKIE_NAME="asp_session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_CHECK_DEFAULT=False,  # the JSON API uses bearer tokens; pages call csrf.protect()
        WTF_CSRF_TIME_LIMIT=None,
        API_TITLE=f"ASP — {name}",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=f"/{name}",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearer": []}]},
    )
    app.extensions["asp_runtime"] = runtime
    app.extensions["asp_token_verifier"] = TokenVerifier(settings)
    loaders = [FileSystemLoader(str(SHARED_HTTP / "templates"))]
    if definition.templates_dir:
        loaders.insert(0, FileSystemLoader(str(definition.templates_dir)))
    app.jinja_loader = ChoiceLoader(loaders)
    init_i18n(app, definition.translations_dir)
    csrf.init_app(app)
    api = PlatformApi(app)
    register_error_handlers(app)
    for blueprint in definition.api_blueprints:
        api.register_blueprint(blueprint, url_prefix=f"/{name}/api/v1{blueprint.url_prefix or ''}")
    for blueprint in definition.page_blueprints:
        app.register_blueprint(blueprint, url_prefix=f"/{name}")
    _add_request_hooks(app, name)
    _add_operational_routes(app, runtime, api)
    _add_template_globals(app, name)
    if definition.configure_app:
        definition.configure_app(app, runtime)
    return app


def _add_request_hooks(app: Flask, name: str) -> None:
    @app.before_request
    def start_request():
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Correlation-ID", "")
        correlation_id = incoming if 0 < len(incoming) <= 100 else str(uuid.uuid4())
        g.correlation_token = set_correlation_id(correlation_id)
        g.correlation_id = correlation_id

    @app.after_request
    def finish_request(response: Response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.HTTP_REQUESTS.labels(name, route, request.method, str(response.status_code)).inc()
        if "started" in g:
            metrics.HTTP_LATENCY.labels(name, route, request.method).observe(
                time.perf_counter() - g.started)
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @app.teardown_request
    def end_correlation(_exc):
        token = g.pop("correlation_token", None)
        if token is not None:
            reset_correlation_id(token)


def _add_operational_routes(app: Flask, runtime, api) -> None:
    name = runtime.name

    @app.get(f"/{name}/healthz")
    def healthz():
        return jsonify(status="ok", service=name)

    @app.get(f"/{name}/readyz")
    def readyz():
        checks = {"database": _database_ok(runtime), "broker": _broker_ok(runtime)}
        ready = all(checks.values())
        return jsonify(status="ready" if ready else "not ready", service=name,
                       checks={k: "ok" if v else "unreachable" for k, v in checks.items()}), \
            200 if ready else 503

    @app.get(f"/{name}/metrics")
    def metrics_endpoint():
        try:
            with Session(runtime.engine) as session:
                count, age = backlog(session, runtime.definition.outbox)
            metrics.OUTBOX_BACKLOG.labels(name).set(count)
            metrics.OUTBOX_OLDEST_AGE.labels(name).set(age)
        except Exception:  # noqa: BLE001 — metrics must answer even when the database does not
            pass
        collect = runtime.definition.metrics_collectors
        return metrics.metrics_response(collect(runtime) if collect else ())

    assets = runtime.definition.package_dir / "static"
    if assets.is_dir():  # the service's own stylesheets and images, beside the shared ones
        @app.get(f"/{name}/assets/<path:filename>")
        def service_assets(filename):
            return send_from_directory(assets, filename, max_age=3600)

    @app.get(f"/{name}/docs")
    def docs():
        return render_template("docs.html", spec=api.spec.to_dict(), service=name)


def _database_ok(runtime) -> bool:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001
        return False


def _broker_ok(runtime) -> bool:
    servers = runtime.settings.kafka_bootstrap_servers
    return bool(servers) and broker_reachable(servers)


def _add_template_globals(app: Flask, name: str) -> None:
    @app.context_processor
    def layout_context():
        # g.principal is set by the page's own guard; a template never triggers auth itself.
        return {"service": name, "principal": g.get("principal"), "languages": LANGUAGES,
                "language": select_language()}
