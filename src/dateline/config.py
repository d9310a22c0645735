"""Settings: one typed object built once at start-up from DATELINE_* environment variables.

Nothing else in the code base reads the environment; the object is passed in (app state,
function arguments), so tests build their own settings without touching globals.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting has a default, a type and help text (docs/configuration.md lists them)."""

    model_config = SettingsConfigDict(env_prefix="DATELINE_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/dateline.sqlite3",
        description="SQLAlchemy URL of the database: a SQLite file (default) or "
        "postgresql+asyncpg://user@host/db.",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="SQLite only: FULL syncs the write-ahead log to disk at every commit, so "
        "an acknowledged change survives an OS crash or power cut; NORMAL syncs only at "
        "checkpoints, so such a crash can lose the last commits (never corrupting the file) "
        "for about a third less time a publish.",
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for uploaded images and other files the server writes.",
    )
    secret_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Key that signs CSRF tokens. Set it in production so tokens survive a "
        "restart and agree between web nodes; a random key is made when unset.",
    )
    site_name: str = Field(default="Dateline", description="Name shown in the page header.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the site, used for absolute links in JSON-LD.",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="`dateline serve` closes a connection that has not sent a request's "
        "complete headers this many seconds after connecting or after the request's first "
        "byte (stops slow or half-open connections from holding sockets).",
    )
    keep_alive_seconds: int = Field(
        default=5,
        ge=1,
        description="`dateline serve` closes a kept-alive connection idle this many seconds "
        "after its last answer. Live event streams are answers in progress, never idle.",
    )
    max_connections: int = Field(
        default=15_000,
        ge=1,
        description="Most connections `dateline serve` serves at once, live event streams "
        "included; a request on a further one is answered 503. Lowered at start to fit the "
        "open-file limit.",
    )
    cookie_secure: bool = Field(
        default=False,
        description="Always mark cookies Secure (only sent over https). Requests that arrive "
        "over https get Secure cookies anyway; turn this on behind a proxy that ends https.",
    )
    session_days: int = Field(
        default=14, ge=1, description="How many days an editor stays logged in."
    )
    login_free_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failed logins to one account before each further one makes it wait "
        "(1 s, doubling, at most 15 minutes).",
    )
    login_free_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed logins from one IP address (to any accounts) before each further "
        "one makes it wait the same growing delay.",
    )
    max_upload_bytes: int = Field(
        default=15 * 1024 * 1024, ge=1024, description="Largest image upload accepted, in bytes."
    )
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=16 * 1024,
        description="Largest request body of a form or JSON request, in bytes (a 20,000-"
        "character update fits even with every character escaped). Routes that take a file "
        "allow max_upload_bytes more; GET, HEAD and DELETE allow 8 KB. A larger body is "
        "answered 413 before it is read.",
    )
    max_image_pixels: int = Field(
        default=40_000_000,
        ge=10_000,
        description="Largest image accepted in pixels (width × height); stops decompression bombs.",
    )
    image_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Images decoded and re-encoded at the same time, in worker threads beside "
        "the event loop; further uploads wait their turn. About one per core.",
    )
    broker_url: str = Field(
        default="memory://",
        description="How web nodes learn of new events: memory:// (one process), "
        "redis://host:6379/0, or postgresql://user@host/db (LISTEN/NOTIFY).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that /metrics and /readyz ask for (`Authorization: Bearer "
        "…`). Unset: they answer only clients on this machine (loopback), which behind a "
        "proxy on the same machine means everyone the proxy lets through.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text: uvicorn's usual log lines; json: one JSON object a line, with the "
        "request id (the X-Request-Id header) of the request that logged it.",
    )
    sse_heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        description="Seconds between keep-alive comments on live event streams; each "
        "heartbeat also re-checks the log, in case a broker message was lost.",
    )
    sse_replay_limit: int = Field(
        default=500,
        ge=1,
        description="Most events replayed to a reader that reconnects; one further behind "
        "is told to reload the page.",
    )
    page_size: int = Field(
        default=20, ge=1, le=200, description="Updates shown per page of a live blog."
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Let outgoing requests (webhooks, and later source fetching) reach "
        "loopback, private and link-local addresses. For tests and intranets only: on a "
        "public server it lets editors probe the internal network (SSRF).",
    )
    webhook_retry_seconds: list[float] = Field(
        default=[10, 30, 120, 600, 3600],
        description="Waits before each retry of a failed webhook delivery, as a JSON list; "
        "after the last one the delivery is marked failed.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a webhook delivery attempt may take."
    )
    webhook_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between checks for due webhook deliveries (new events also wake "
        "the sender at once, within one process).",
    )
    allow_private_sources: bool = Field(
        default=False,
        description="Let source fetching reach loopback, private and link-local addresses "
        "(tests, intranet feeds). Off, every hop of every fetch is checked (SSRF guard).",
    )
    source_interval_seconds: int = Field(
        default=300, ge=30, le=7 * 86400, description="Default polling interval of a new source."
    )
    ingest_in_serve: bool = Field(
        default=True,
        description="Run the source fetcher inside `dateline serve`. Turn off when separate "
        "`dateline worker` processes do the fetching.",
    )
    ingest_concurrency: int = Field(
        default=20, ge=1, le=500, description="Most sources one worker fetches at the same time."
    )
    ingest_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Child processes that fetch and parse for each worker, so that one worker "
        "uses more than one core (up to the number of cores helps); 0 fetches and parses in "
        "the worker's own process.",
    )
    ingest_poll_seconds: float = Field(
        default=5.0, gt=0, description="Seconds between checks for sources that are due."
    )
    item_retention_days: int = Field(
        default=30,
        ge=0,
        le=36500,
        description="Items of followed sources listed longer ago than this are deleted by the "
        "ingest worker (hourly, in small batches) and not stored when a source still lists "
        "them; 0 keeps them forever.",
    )
    fetch_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Longest one source fetch may take, redirects included."
    )
    fetch_max_bytes: int = Field(
        default=5_000_000, ge=10_000, description="Largest source document read, in bytes."
    )
    fetch_max_redirects: int = Field(
        default=5, ge=0, le=20, description="Most redirects followed when fetching a source."
    )
    fetch_per_host: int = Field(
        default=2, ge=1, description="Most requests to one host at the same time."
    )
    fetch_host_delay_seconds: float = Field(
        default=1.0, ge=0, description="Least time between two requests to the same host."
    )
    house_sections: list[dict[str, str | list[str] | dict[str, str]]] = Field(
        default=[],
        description="Sections of this site beside the 17 IPTC Media Topics, as a JSON list "
        'such as `[{"code": "infrastruktur", "names": {"de": "Infrastruktur", "en": '
        '"Infrastructure"}, "keywords": ["Brücke", "Sanierung", "~bahn"]}]`. A story whose '
        "title and lead match a section's keywords is put in it (see docs/categories.md).",
    )
    comments_per_hour: int = Field(
        default=5,
        ge=1,
        description="Most comments and reports one address may send to the site in an hour "
        "(only a keyed hash of the address is stored, and only for a day).",
    )
    comments_max_links: int = Field(
        default=2,
        ge=0,
        description="Most links (http://, https://, www.) a reader's comment may hold.",
    )
    comments_blocked_words: list[str] = Field(
        default=[],
        description='Words no reader comment may contain, as a JSON list such as `["spam", '
        '"casino"]`; matched as whole words, whatever their case.',
    )

    @property
    def media_dir(self) -> Path:
        """Where image variants are stored, by content hash."""
        return self.data_dir / "media"


SECRET_FIELDS = frozenset({"secret_key", "database_url"})


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(env var, value with secrets masked, help) for `dateline config show` and the docs."""
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or name in SECRET_FIELDS:
            shown = _mask(str(value.get_secret_value() if isinstance(value, SecretStr) else value))
        else:
            shown = str(value)
        rows.append((f"DATELINE_{name.upper()}", shown, field.description or ""))
    return rows


def _mask(value: str) -> str:
    """Hide passwords inside URLs and whole secrets, keep enough to recognise the value."""
    if "://" in value:
        scheme, rest = value.split("://", 1)
        if "@" in rest:
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            return f"{scheme}://{user}:***@{host}" if ":" in creds else value
        return value
    return "***"


def markdown_reference() -> str:
    """docs/configuration.md, generated from the fields above (tests keep the two equal)."""
    lines = [
        "# Configuration",
        "",
        "Dateline reads these environment variables once at start-up. This page is generated by",
        "`dateline config docs`; `dateline config show` prints the values in force.",
        "",
        "| Variable | Default | Meaning |",
        "| --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        default = "random at each start" if name == "secret_key" else f"`{field.default}`"
        lines.append(f"| `DATELINE_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines) + "\n"
