"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from server import clock
from server.config import Config
from server.extensions import csrf, db, limiter, login_manager, socketio
from server.i18n import init_i18n
from server.routing import init_routing
from server.web import ROOT, init_web


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the app. `config` is a Config class or a dict of overrides."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = Config.secret_key()
    if offset_file := app.config.get("CLOCK_OFFSET_FILE"):  # tests of a server process
        app.extensions["waitroom.clock"] = clock.OffsetClock(offset_file)
    if hops := app.config.get("PROXY_HOPS"):  # behind nginx: the client's own address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    init_routing(app)
    _register_blueprints(app)
    _register_health(app)
    _note_request_addresses(app)
    return app


def _init_extensions(app: Flask) -> None:
    from server import auth
    from server.storage.engine import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    login_manager.init_app(app)
    auth.init_login(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    init_i18n(app)
    csrf.init_app(app)
    from server.realtime.fanout import FanOutRedisManager
    from server.realtime.packets import JsonPacket

    redis_url = app.config["REDIS_URL"]
    queue = {}
    if redis_url:
        channel = f"{app.config['REDIS_PREFIX']}-socketio"
        queue = {"client_manager": FanOutRedisManager(redis_url, channel=channel)}
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        **queue,
        # None keeps Socket.IO's same-origin check; never "*".
        cors_allowed_origins=app.config["SOCKETIO_ORIGINS"] or None,
        logger=False,
        engineio_logger=False,
        serializer=JsonPacket,
    )


def _note_request_addresses(app: Flask) -> None:
    """The audit log's address of what a request changes: the services are told it
    once per request (services/audit.py), and never read Flask's request."""
    from flask import request

    from server import services

    @app.before_request
    def note_address() -> None:
        services.acting_from(request.remote_addr)

    @app.teardown_request
    def forget_address(_error: BaseException | None) -> None:
        services.acting_from(None)


def _register_blueprints(app: Flask) -> None:
    from display import bp as display_bp
    from kiosk import bp as kiosk_bp
    from server.admin import bp as admin_bp
    from server.api import bp as api_bp
    from server.desk import bp as desk_bp
    from server.desk.sso import init_sso
    from server.feedback import bp as feedback_bp
    from server.phone import bp as phone_bp
    from server.realtime import handlers
    from server.staff_admin import bp as staff_admin_bp
    from server.staff_admin import screens_bp
    from server.wayfinding.views import bp as wayfinding_bp

    # The JSON API is not protected by form CSRF tokens: it accepts only JSON bodies,
    # which another site's page cannot send without a CORS preflight (api/spec.py).
    csrf.exempt(api_bp)
    blueprints = (api_bp, kiosk_bp, phone_bp, display_bp, desk_bp, feedback_bp, wayfinding_bp)
    for blueprint in (*blueprints, admin_bp, staff_admin_bp, screens_bp):
        app.register_blueprint(blueprint)
    init_sso(app)
    init_web(app)
    handlers.register(socketio)


def _register_health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Any:
        """Up when the app answers and the database does."""
        try:
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
        except Exception:  # noqa: BLE001  any database failure means "not healthy"
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")
