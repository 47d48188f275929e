"""``python app.py serve`` (gunicorn) and ``run`` (set up, then serve)."""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

import click

from cli.streams import StreamSupervisor
from settings import get_settings

_lock_handle: IO[str] | None = None

# The WSGI app, by name as gunicorn takes it: app.py builds it (``create_app``); no command
# imports app.py, the server loads it in the process that serves.
WSGI_APP = "app:server"


def _hold_run_lock() -> None:
    """One server per checkout: a second `make run` says so instead of racing."""
    global _lock_handle
    home = Path(get_settings().data_dir)
    home.mkdir(parents=True, exist_ok=True)
    fh = open(home / "run.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        pid = fh.read().strip() or "?"
        click.echo(
            f"MinQing Map is already running from this checkout (pid {pid}); "
            "stop it first (Ctrl-C in its terminal).",
            err=True,
        )
        sys.exit(1)
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    _lock_handle = fh


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            click.echo(f"port {host}:{port} is in use; set MINQING_PORT to another port", err=True)
            sys.exit(1)


def _end_live_streams_on_stop(worker: Any) -> None:
    """gunicorn ``post_worker_init``: on SIGTERM (a graceful stop or restart) end the
    worker's live streams at once, so that it does not wait ``graceful_timeout`` for
    them (their clients reconnect to the next worker), then stop as gunicorn does."""
    import signal

    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: Any) -> None:
        from governance import live

        live.shutdown()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, stop)
    signal.siginterrupt(signal.SIGTERM, False)


def _load_wsgi_app() -> Any:
    """The Flask server named by :data:`WSGI_APP`, loaded as gunicorn loads it."""
    from gunicorn.util import import_app

    return import_app(WSGI_APP)


def _gunicorn(
    host: str, port: int, workers: int, threads: int, streams: StreamSupervisor | None
) -> None:
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class _Arbiter(Arbiter):  # type: ignore[misc]
        """gunicorn's master, which also keeps the live-stream server running (its main
        loop calls ``manage_workers`` about once a second) and stops it with the rest."""

        def manage_workers(self) -> None:
            super().manage_workers()
            if streams is not None:
                streams.check()

        def stop(self, graceful: bool = True) -> None:
            if streams is not None:
                streams.stop()
            super().stop(graceful)

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            opts: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # The gthread worker reports itself alive from its main loop, not from
                # the request threads: a live stream open for minutes is not "hung".
                "timeout": 120,
                "graceful_timeout": 10,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": "info",
                "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                # no shared ~/.gunicorn control socket: several servers (tests, a second
                # checkout) must not fight over one path
                "control_socket_disable": True,
                "post_worker_init": _end_live_streams_on_stop,
                # Recycle a worker after this many requests (each its own count, with
                # jitter, so they do not restart together): memory a worker kept after a
                # large request goes back to the system. 0: never.
                "max_requests": get_settings().max_requests,
                "max_requests_jitter": get_settings().max_requests_jitter,
            }
            for k, v in opts.items():
                self.cfg.set(k, v)

        def load(self) -> Any:
            return _load_wsgi_app()

        def run(self) -> None:
            try:
                _Arbiter(self).run()
            except RuntimeError as e:  # as BaseApplication.run
                click.echo(f"\nError: {e}\n", err=True)
                sys.exit(1)

    if streams is not None:
        streams.start()
    _App().run()


def _warn_if_rls_bypassed() -> None:
    """Row-level security does not bind a superuser or BYPASSRLS role: say so loudly."""
    from geodata.db import get_engine
    from geodata.queries import server

    try:
        with get_engine().connect() as conn:
            bypass = server.row_security_bypassed(conn)
    except Exception:  # noqa: BLE001 - the server reports the database itself (/healthz)
        return
    finally:
        # Close it here: a pooled connection of the master would be inherited by every
        # forked worker, which would then talk over one socket at once (answers mixed up,
        # "error with status PGRES_TUPLES_OK and no message from the libpq", hung requests).
        get_engine().dispose()
    if bypass:
        click.echo(
            "warning: the app's database role is a superuser or has BYPASSRLS, so row-level "
            "security does not apply to it; give MINQING_DATABASE_URL an unprivileged role "
            "and MINQING_ADMIN_DATABASE_URL the owner",
            err=True,
        )


@click.command()
@click.option("--host", default=None, help="Default: MINQING_HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Default: MINQING_PORT (8050).")
@click.option("--dev", is_flag=True, help="Flask's debug server (never in production).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, dev: bool) -> None:
    """Serve the app with gunicorn (gthread workers); as root, as MINQING_APP_USER."""
    from cli.runas import drop_root

    s = get_settings()
    host, port = host or s.host, port or s.port
    _check_port(host, port)
    level = ctx.find_root().params.get("log_level")
    argv = [*(["--log-level", level] if level else []), "serve", "--host", host]
    drop_root([*argv, "--port", str(port), *(["--dev"] if dev else [])], keep=_lock_handle)
    _warn_if_rls_bypassed()
    click.echo(f"MinQing Map on http://{host}:{port}")
    if dev:  # one process: streams are served by its threads (web/live.py)
        os.environ["MINQING_STREAM_SERVER"] = "0"
        get_settings.cache_clear()
        _load_wsgi_app().run(host=host, port=port, debug=False)
        return
    streams = None
    if s.stream_server:
        streams = StreamSupervisor(host, s.stream_port, port)
        click.echo(f"Live streams on http://{host}:{streams.bind()}")
    _gunicorn(host, port, s.workers, s.threads, streams)


@click.command()
@click.option("--incidents", default=200_000, show_default=True, type=click.IntRange(0))
@click.pass_context
def run(ctx: click.Context, incidents: int) -> None:
    """Everything `make run` needs: database, migrations, demo city, server."""
    from cli.db import ensure_database
    from cli.demo import seed_demo
    from geodata import migrate

    _hold_run_lock()
    s = get_settings()
    _check_port(s.host, s.port)
    ensure_database()
    migrate.upgrade()
    seed_demo(incidents, 42, if_empty=True, reset=False)
    ctx.invoke(serve)
