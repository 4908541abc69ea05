"""The `waitroom` command: serve, load a site, import appointments, add staff."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

ASYNC_MODES = ("gevent", "eventlet", "threading")
DEMO_DIR = Path(__file__).parent / "sites" / "demo"


def _app() -> Any:
    from server import create_app

    return create_app()


def _operator() -> Any:
    """Who runs this command, for the audit log: the operating-system account."""
    import getpass

    from server import services

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry
        name = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return services.Actor(username=f"{name} (command line)")


def _fail(message: str) -> NoReturn:
    """The one way a command refuses: one line on stderr, exit status 2, nothing changed."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Waitroom: a waiting-room queue for clinics and hospitals."""


@main.command()
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1 or $HOST"
)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "5000")),
    show_default="5000 or $PORT",
)
@click.option(
    "--async",
    "async_mode",
    type=click.Choice(ASYNC_MODES),
    default=lambda: os.environ.get("WAITROOM_ASYNC", "gevent"),
    show_default="gevent",
)
def serve(host: str, port: int, async_mode: str) -> None:
    """Serve HTTP and Socket.IO (gevent by default; eventlet kept for old deployments)."""
    # The standard library must be patched before Flask, SQLAlchemy and the database
    # drivers are imported, or they would block the whole process on I/O.
    if async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    os.environ["WAITROOM_ASYNC"] = async_mode
    from server import collector, serving
    from server.extensions import socketio
    from server.storage.migrate import upgrade

    app = _app()
    with app.app_context():
        upgrade()
    stop_background_work = _start_background_work(app, socketio)
    # What start-up made lives as long as the process, and so do most of the sockets
    # later: keep them out of the collector's full passes (collector.py).
    collector.install()
    if async_mode == "gevent":
        _stop_on_ctrl_c(socketio)
    click.echo(f"Waitroom serving on http://{host}:{port} ({async_mode})")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        serving.serve(app, socketio, host, port, async_mode)
    stop_background_work()
    click.echo("Waitroom stopped")


def _stop_on_ctrl_c(socketio: Any) -> None:
    """Under gevent, Ctrl-C stops the server in an orderly way. Left to itself, the
    KeyboardInterrupt lands in whichever greenlet is running (often a connection's
    handler), which then dies and the server goes on serving."""
    import signal

    import gevent

    def stop_serving() -> None:
        server = getattr(socketio, "wsgi_server", None)
        if server is not None:
            server.stop(timeout=2)  # open WebSockets get two seconds, then are closed

    gevent.signal_handler(signal.SIGINT, stop_serving)


def _start_background_work(app: Any, socketio: Any) -> Any:
    """The slow estimate tick (once per deployment, whoever holds the lease) and, with
    several processes, this process's share of who is connected. Returns how to stop."""
    from datetime import timedelta

    from server.extensions import db
    from server.realtime import presence
    from server.services import demo_live
    from server.services.arrival import MOST_SLEEP, turn_codes_forever
    from server.services.ticks import tick_forever
    from server.storage.locks import LocalLease, deployment_lease

    lease: Any = LocalLease()
    tick = int(os.environ.get("ESTIMATE_TICK_SECONDS", "60"))
    with app.app_context():
        if tick > 0:
            lease = deployment_lease(app.config, db.engine, "estimate-tick", ttl=3 * tick)
            socketio.start_background_task(tick_forever, app, tick, lease, socketio.sleep)
        # The day's arrival code, sent to the displays when a site's day turns.
        # ARRIVAL_CHECK_SECONDS: how often it looks for a changed site besides at each turn.
        most = float(os.environ.get("ARRIVAL_CHECK_SECONDS", MOST_SLEEP.total_seconds()))
        turns = deployment_lease(app.config, db.engine, "arrival-codes", ttl=2 * most)
        socketio.start_background_task(
            turn_codes_forever, app, turns, socketio.sleep, timedelta(seconds=most)
        )
        registry = presence.registry()
    _start_outbox_sender(app, socketio)
    # `waitroom demo --live`: the demo's day plays while the server runs. Only when a
    # site was marked live before the start: other deployments get no player at all.
    step = float(os.environ.get("DEMO_LIVE_SECONDS", str(demo_live.STEP_SECONDS)))
    # Walk-ins an hour; the end-to-end test raises it so that its few seconds see some.
    arrivals = float(
        os.environ.get("DEMO_LIVE_ARRIVALS_PER_HOUR", str(demo_live.ARRIVALS_PER_HOUR))
    )
    speed = float(os.environ.get("DEMO_LIVE_SPEED", str(demo_live.SPEED)))
    with app.app_context():
        live = step > 0 and bool(demo_live.live_sites())
        db.session.remove()
    if live and speed <= 0:
        raise click.UsageError("DEMO_LIVE_SPEED must be a number above 0, e.g. 1 or 60.")
    if live:
        with app.app_context():
            player = deployment_lease(app.config, db.engine, "demo-live", ttl=3 * step)
        socketio.start_background_task(
            demo_live.play_forever,
            app,
            player,
            socketio.sleep,
            step,
            arrivals_per_hour=arrivals,
            speed=speed,
        )
    if isinstance(registry, presence.SharedPresence):
        socketio.start_background_task(registry.beat_forever, socketio.sleep)

    def stop() -> None:
        """Let another process take the tick, and take our screens out of the count."""
        lease.release()
        turns.release()
        if isinstance(registry, presence.SharedPresence):
            registry.stop()

    return stop


def _start_outbox_sender(app: Any, socketio: Any) -> None:
    """The outbox's sender (server/notify/sender.py), in every process: each claims
    the messages it sends, so no lease is needed."""
    from server.notify.sender import send_forever

    poll = float(app.config["OUTBOX_POLL_SECONDS"])
    socketio.start_background_task(send_forever, app, socketio.sleep, poll)


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    from server.storage.migrate import upgrade

    with _app().app_context():
        upgrade()
    click.echo("database is up to date")


@main.command("load-site")
@click.argument("path", type=click.Path(path_type=Path))
def load_site(path: Path) -> None:
    """Create or update a site from its TOML file (tickets are kept)."""
    from server import services
    from server.sites.schema import SiteFileError, parse_site_file
    from server.storage.migrate import upgrade

    try:
        spec = parse_site_file(path)
    except SiteFileError as error:
        _fail(str(error))
    with _app().app_context():
        upgrade()
        result = services.load_site(spec, actor=_operator())
    click.echo(f"site {result['slug']} {'created' if result['created'] else 'updated'}")


@main.command("export-site")
@click.argument("site")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the site file here (default: print it).",
)
def export_site(site: str, output: Path | None) -> None:
    """Write a site back to its site file (TOML), as the admin console has left it."""
    from server.domain.errors import DomainError
    from server.services import site_admin

    with _app().app_context():
        try:
            text = site_admin.export_site(site)
        except DomainError as error:
            _fail(error.message)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"{output}: cannot write it ({error.strerror})")
    click.echo(f"site {site} written to {output}")


@main.command("poster")
@click.argument("site")
@click.option(
    "--kind",
    type=click.Choice(["join", "arrival"]),
    default="join",
    show_default=True,
    help='join: join the line from your phone; arrival: "I\'m here" at the entrance.',
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.html: the A4 poster to print; FILE.svg: only its QR code.",
)
@click.option(
    "--base-url",
    help="The address phones reach the server at (default: the site's public_url, then"
    " PUBLIC_URL).",
)
@click.option("--language", help="The language first and largest (default: the site's first).")
def poster(site: str, kind: str, output: Path, base_url: str | None, language: str | None) -> None:
    """Write a printable poster of a site (the arrival poster's key is made if needed)."""
    from server import posters
    from server.domain.errors import DomainError
    from server.services import posters as poster_facts

    if output.suffix.lower() not in {".html", ".svg"}:
        _fail(f"{output}: write a .html or a .svg file")
    app = _app()
    with app.app_context():
        try:
            if kind == "join":
                facts = poster_facts.join_poster(site)
            else:
                facts = poster_facts.arrival_poster(site, actor=_operator())
        except DomainError as error:
            _fail(error.message)
        address = base_url or facts["public_url"] or app.config.get("PUBLIC_URL")
        if not address:
            _fail("say where phones reach the server: --base-url, public_url or PUBLIC_URL")
        facts = {**facts, "public_url": address}
        with app.test_request_context(base_url=address):
            try:
                posters.write_poster(kind, facts, output, first=language)
            except OSError as error:
                _fail(f"{output}: cannot write it ({error.strerror})")
    click.echo(f"{kind} poster of {site} written to {output}")


@main.command("import-appointments")
@click.argument("site")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Day for rows with no date column (default: the site's today).",
)
def import_appointments(site: str, csv_path: Path, day: Any) -> None:
    """Import a day's appointments from CSV (see the README for the columns)."""
    from server import services
    from server.domain.errors import DomainError
    from server.services.sites import AppointmentFileError

    try:
        data = csv_path.read_bytes()
    except OSError as error:
        _fail(f"{csv_path}: cannot read it ({error.strerror})")
    with _app().app_context():
        try:
            text = services.appointments_text(data)
            result = services.import_appointments(
                site, text, day.date() if day else None, actor=_operator()
            )
        except (AppointmentFileError, DomainError) as error:
            _fail(f"{csv_path}: {error}")
    click.echo(f"{result['created']} appointments added, {result['updated']} updated")


@main.command("report")
@click.argument("site")
@click.option(
    "--from",
    "first",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (default: 6 days before the last).",
)
@click.option(
    "--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included (default: today)."
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each table as a CSV file in this folder.",
)
def report(site: str, first: Any, last: Any, csv_dir: Path | None) -> None:
    """Print a site's headline figures for some days, against the days before."""
    from server import services
    from server.domain.errors import DomainError
    from server.services.reports import headline_rows, report_csvs

    with _app().app_context():
        try:
            data = services.report(
                site, first.date() if first else None, last.date() if last else None
            )
        except DomainError as error:
            _fail(error.message)
    click.echo(
        f"{data['site']} {data['from']} to {data['to']} "
        f"(previous: {data['previous']['from']} to {data['previous']['to']})"
    )
    for figure, value, before, change in headline_rows(data):
        shown = "-" if value is None else value
        signed = "" if change is None else f"  ({change:+g})" if change else "  (no change)"
        click.echo(f"  {figure:<18} {shown}{signed}  previous {'-' if before is None else before}")
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, text in report_csvs(data).items():
            (csv_dir / name).write_text(text, encoding="utf-8")
        click.echo(f"CSV files written to {csv_dir}")


@main.command("add-user")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["staff", "manager", "admin"]), default="staff", show_default=True
)
@click.option(
    "--site",
    "sites",
    multiple=True,
    required=True,
    help="A site the account may use (repeat for more).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of generating one.",
)
def add_user(username: str, role: str, sites: tuple[str, ...], password_stdin: bool) -> None:
    """Create a staff account (or reset its password). Prints a generated password."""
    from server import services
    from server.domain.errors import DomainError
    from server.storage.migrate import upgrade

    password = sys.stdin.readline().rstrip("\n") if password_stdin else services.generate_password()
    with _app().app_context():
        upgrade()  # a new password ends the account's sessions: their table must exist
        try:
            services.add_user(username, password, role, list(sites), actor=_operator())
        except DomainError as error:
            _fail(error.message)
    click.echo(f"user {username} ({role}) for {', '.join(sites)}")
    if not password_stdin:
        click.echo(f"password: {password}")


@main.command("disable-user")
@click.argument("username")
def disable_user(username: str) -> None:
    """Disable a staff account: it cannot log in, and its sessions end at once."""
    from server import services
    from server.domain.errors import DomainError
    from server.storage.migrate import upgrade

    with _app().app_context():
        upgrade()
        try:
            services.disable_user(username, actor=_operator())
        except DomainError as error:
            _fail(error.message)
    click.echo(f"user {username} disabled; its sessions ended")


@main.command("purge-personal-data")
@click.option("--site", "site_slug", help="Only this site (default: every site).")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
def purge_personal_data(site_slug: str | None, dry_run: bool) -> None:
    """Remove patients' names and birth dates from visits past the site's retention
    period (personal_data_days in the site file); the server also does it every hour."""
    from server import services
    from server.domain.errors import DomainError
    from server.storage.migrate import upgrade

    with _app().app_context():
        upgrade()
        try:
            removals = services.purge_personal_data(site_slug, dry_run=dry_run, actor=_operator())
        except DomainError as error:
            _fail(error.message)
    verb = "would remove" if dry_run else "removed"
    for removal in removals:
        click.echo(
            f"{removal.site}: {verb} the personal data of {removal.tickets} tickets and "
            f"{removal.appointments} appointments of visits before {removal.before}"
        )


@main.command("vapid-keys")
@click.option(
    "--print", "print_only", is_flag=True, help="Print a new pair as environment lines; keep none."
)
def vapid_keys(print_only: bool) -> None:
    """Make the VAPID key pair that signs Web Push messages: kept in var/vapid_private_key
    (once; an existing key is kept) unless --print, which prints VAPID_PRIVATE_KEY and
    VAPID_PUBLIC_KEY lines for the environment instead."""
    from server.config import Config
    from server.notify.channels import new_vapid_private_key, public_key_text, vapid_key

    if print_only:
        private = new_vapid_private_key()
        click.echo(f"VAPID_PRIVATE_KEY={private}")
        click.echo(f"VAPID_PUBLIC_KEY={public_key_text(vapid_key(private))}")
        return
    path = Config.VAR_DIR / "vapid_private_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_vapid_private_key())
        path.chmod(0o600)
    public = public_key_text(vapid_key(path.read_text().strip()))
    click.echo(f"Web Push key: {path} (public key {public})")


@main.command()
@click.option("--user", "username", default="desk", show_default=True)
@click.option(
    "--history-days",
    type=click.IntRange(0, 366),
    default=0,
    show_default=True,
    help="Also make up this many past days of visits, estimates, delay notices and "
    "survey answers, so that the reports have something to show (`make run`: 60).",
)
@click.option(
    "--live/--no-live",
    default=None,
    help="Have the server play the demo's day while it runs: walk-ins arrive, rooms call "
    "them and see them, on the server's clock (--no-live stops it; without either, as "
    "before).",
)
def demo(username: str, history_days: int, live: bool | None) -> None:
    """Load the demo clinic and today's appointments (unless sites exist already), and
    give the demo account a fresh password, printed once."""
    from sqlalchemy import select

    from server import services
    from server.extensions import db
    from server.sites.schema import parse_site_file
    from server.storage.migrate import upgrade
    from server.storage.models import Site

    app = _app()
    with app.app_context():
        upgrade()
        spec = parse_site_file(DEMO_DIR / "site.toml")
        if db.session.execute(select(Site.id).limit(1)).first() is None:
            services.load_site(spec, actor=_operator())
            csv_text = services.appointments_text((DEMO_DIR / "appointments.csv").read_bytes())
            services.import_appointments(spec.site.slug, csv_text, None, actor=_operator())
            click.echo(f"demo site {spec.site.slug} loaded with today's appointments")
            if history_days:
                made = services.add_demo_history(spec.site.slug, history_days)
                click.echo(f"and {made} past visits over the last {history_days} days")
        else:
            click.echo("the database has sites already: its data is kept")
        password = services.generate_password()
        services.add_user(username, password, "admin", [spec.site.slug], actor=_operator())
        if live is not None:
            from server.services import demo_live

            demo_live.set_live(spec.site.slug, username if live else None)
            click.echo(
                f"demo site {spec.site.slug} is live: the server plays its day while it runs"
                if live
                else f"demo site {spec.site.slug} is no longer live"
            )
    click.echo(f"staff login: {username} / {password}")


@main.group()
def audit() -> None:
    """The audit log: check its hash chain, export it as CSV."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every entry's hash against the one before it (exit status 2 if broken)."""
    from server import services
    from server.storage.migrate import upgrade

    with _app().app_context():
        upgrade()
        count, broken = services.verify_audit_chain()
    if broken is not None:
        _fail(f"audit chain broken at entry {broken}: it or an entry before it was changed")
    click.echo(f"audit chain intact: {count} entries")


@audit.command("export")
@click.option("--site", help="Only this site's entries (default: all, sign-ins included).")
def audit_export(site: str | None) -> None:
    """Write the audit log as CSV to standard output."""
    from server import services
    from server.domain.errors import DomainError
    from server.storage.migrate import upgrade

    with _app().app_context():
        upgrade()
        try:
            for row in services.audit_csv(site):
                click.echo(row, nl=False)
        except DomainError as error:
            _fail(error.message)
