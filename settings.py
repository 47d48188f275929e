"""Application settings: the only module that reads the environment.

Every setting has the env prefix ``MINQING_`` (for example ``MINQING_DATABASE_URL``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Runtime configuration, read from ``MINQING_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="MINQING_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="External PostGIS URL. Unset: use the embedded cluster under .data/.",
    )
    admin_database_url: str | None = Field(
        default=None,
        description="URL of the schema owner, for migrations and the demo seed. Unset: "
        "the embedded cluster's superuser, or MINQING_DATABASE_URL for an external server.",
    )
    app_db_role: str = Field(
        default="minqing_app",
        description="Database role the app connects as on the embedded cluster: no "
        "superuser, no BYPASSRLS, so row-level security applies to it.",
    )
    database_name: str = Field(default="minqing", description="Database in the embedded cluster.")
    data_dir: Path = Field(default=ROOT / ".data", description="Embedded cluster home.")
    pg_user: str = Field(default="minqing-pg", description="System user owning the cluster.")
    app_user: str = Field(
        default="minqing",
        description="System user the web server runs as when started as root (created if "
        "missing); it may connect to the embedded cluster only as MINQING_APP_DB_ROLE. "
        "'root' keeps root (not recommended).",
    )
    pg_port: int = Field(default=5432, description="Socket port number (no TCP is opened).")
    host: str = "127.0.0.1"
    port: int = 8050
    workers: int = 2
    threads: int = Field(
        default=32,
        description="gunicorn threads per worker. Each open live stream (/api/v1/stream, "
        "one per open map or wall) holds one thread while it lasts.",
    )
    live_streams: int = Field(
        default=0,
        description="Live streams one worker serves at once (0: half of MINQING_THREADS); "
        "beyond it a client is told to retry later, so page requests keep their threads.",
    )
    stream_server: bool = Field(
        default=True,
        description="`app.py serve` also runs the live-stream server (web/streams.py): one "
        "asyncio process that holds every open map's and wall's /api/v1/stream, so streams "
        "take no gunicorn thread. False: streams are served by gunicorn threads "
        "(MINQING_LIVE_STREAMS per worker), as always under `serve --dev`.",
    )
    stream_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="TCP port of the live-stream server on MINQING_HOST (0: MINQING_PORT + 1 "
        "when free, else any free port; the pages learn it). Set while serving.",
    )
    stream_max: int = Field(
        default=2000,
        ge=1,
        description="Live streams the stream server holds at once; beyond it a client is "
        "told to come back later.",
    )
    stream_url: str = Field(
        default="",
        description="The URL pages open for live streams when a reverse proxy routes "
        "/api/v1/stream to the stream server on the site's own origin (e.g. "
        "'/api/v1/stream'); empty: the stream server's port on the page's host.",
    )
    max_requests: int = Field(
        default=2000,
        ge=0,
        description="gunicorn recycles a worker after this many requests (0: never), so "
        "memory a worker kept after a large request (an uploaded file) is given back; "
        "its live streams reconnect to another worker.",
    )
    max_requests_jitter: int = Field(
        default=200,
        ge=0,
        description="A random 0..N added to MINQING_MAX_REQUESTS per worker, so the "
        "workers are not all recycled at the same moment.",
    )
    secret_key: str | None = Field(
        default=None,
        repr=False,
        description="Signs session cookies. Unset: a random key kept in .data/secret_key.",
    )
    data_key: str | None = Field(
        default=None,
        repr=False,
        description="Encrypts personal data at rest (base64 of 32 bytes). Unset: a random "
        "key kept in .data/data_key. Losing it makes the encrypted fields unreadable.",
    )
    tile_url: str | None = Field(default=None, description="Basemap XYZ tile URL template.")
    tile_attribution: str = ""
    tile_crs: Literal["wgs84", "gcj02"] = "wgs84"
    locale: Literal["zh-CN", "en"] = "zh-CN"
    log_level: str = "INFO"
    max_features: int = Field(default=5000, description="Hard cap per layer response.")
    layer_cache_mb: int = Field(
        default=64,
        ge=0,
        le=4096,
        description="Per-process cache of rendered incidents / density layers, in MB "
        "(governance/layer_cache.py); 0 turns it off.",
    )
    layer_cache_ttl: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="Seconds a cached layer is kept at most: cases leave a relative window "
        "and become overdue without any notification, so this bounds how late that shows.",
    )
    session_idle_minutes: int = Field(default=30, description="Sign out after this idle time.")
    session_absolute_hours: int = Field(default=12, description="Sign out after this long.")
    cookie_secure: bool = Field(default=False, description="Set behind HTTPS (Secure cookies).")
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For "
        "and -Proto are then trusted, so rate limits and the audit trail see the client's "
        "address; 0 trusts no header (a client could forge it).",
    )
    lockout_failures: int = Field(default=5, description="Failed sign-ins before lockout.")
    lockout_minutes: int = Field(default=15, description="How long a lockout lasts.")
    sla_sweep_seconds: int = Field(
        default=60,
        description="How often the server adds SLA reminders and supervision to the "
        "timelines of cases near or past their deadline (0: never; `sla sweep` by hand).",
    )
    data_quality_weight: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Weight of data quality (数据质量: blind spots, padding, timely own "
        "reports; governance/data_quality.py) in the composite score of streets and grids; "
        "the other measures share the rest in their usual proportions.",
    )
    timely_minutes: int = Field(
        default=60,
        ge=1,
        description="A grid's own report counts as timely when made within this many "
        "minutes of the occurrence (data quality).",
    )
    spike_seconds: int = Field(
        default=300,
        description="How often the server evaluates spike warnings (突增预警) for every "
        "street x category, in the SLA sweep's thread, so at most as often as that sweep "
        "runs (0: never; `analytics spikes` by hand).",
    )
    alerts_deliver_seconds: int = Field(
        default=15,
        description="How often the server sends due webhook deliveries of alerts (0: never; "
        "`alerts deliver` by hand).",
    )
    webhook_allow_local: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback addresses (tests with a local receiver "
        "only; private, link-local and other internal addresses stay refused).",
    )
    intake_outside: Literal["reject", "flag"] = Field(
        default="flag",
        description="Incidents located outside every grid: refuse them, or keep them "
        "flagged (location_flag = 'outside_jurisdiction', no grid) for a dispatcher.",
    )
    duplicate_meters: float = Field(
        default=100.0,
        gt=0,
        le=5000,
        description="Open incidents of the same category within this distance (metres) of "
        "a new report are offered as possible duplicates.",
    )
    duplicate_hours: float = Field(
        default=72.0,
        gt=0,
        le=24 * 365,
        description="... and within this many hours of its occurrence time.",
    )
    # The city the areas belong to. It is not a row of `area` ("the whole city" is no
    # area), but people type its code wherever an area is asked for
    # (governance/area_codes.py).
    city_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}00$",
        description="The city's own code (6 digits, GB/T 2260, e.g. 441500 for 汕尾市): "
        "typed as an area code (also as 441500000000) it means the whole city. Unset: the "
        "counties' shared first four digits followed by 00.",
    )
    city_name: str | None = Field(
        default=None,
        max_length=80,
        description="The city's name in `python app.py areas list` (e.g. 汕尾市). Unset: "
        "全市 / Whole city.",
    )
    # Leaders' briefings (governance/briefings.py; `python app.py export briefing`).
    briefing_dir: Path | None = Field(
        default=None,
        description="Where `export briefing --schedule` writes the morning briefings "
        "(one sub-folder per day). Unset: <data_dir>/briefings.",
    )
    briefing_areas: str = Field(
        default="",
        description="Comma-separated area codes the scheduled briefings cover (empty: the "
        "whole city and each county).",
    )
    briefing_formats: str = Field(
        default="pdf",
        description="Comma-separated formats of scheduled briefings (pdf, png, html).",
    )
    briefing_chromium: Path = Field(
        default=Path("/usr/bin/chromium"),
        description="The Chromium that prints briefings to PDF / PNG (Debian: apt-get install "
        "chromium).",
    )
    wall_rotate_seconds: int = Field(
        default=20,
        ge=5,
        le=3600,
        description="The wall screen's views (density, handoff status, hotspots) rotate "
        "every this many seconds (a wall URL may override it with ?rotate=N).",
    )


def _kept(s: Settings, name: str, make: Callable[[], str]) -> str:
    """A secret generated once and kept (mode 600) under data_dir, so it survives restarts
    and every worker process uses the same one."""
    import os

    path = Path(s.data_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    except FileExistsError:
        pass
    return path.read_text().strip()


def secret_key(s: Settings) -> str:
    """The configured cookie-signing key, or one kept under data_dir."""
    import secrets

    return s.secret_key or _kept(s, "secret_key", lambda: secrets.token_urlsafe(48))


def data_key(s: Settings) -> bytes:
    """The 32-byte key for personal data at rest: configured, or one kept under data_dir."""
    import base64
    import secrets

    raw = s.data_key or _kept(
        s, "data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )
    key = base64.b64decode(raw, validate=True)
    if len(key) != 32:
        raise ValueError("MINQING_DATA_KEY must be the base64 of exactly 32 bytes")
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
