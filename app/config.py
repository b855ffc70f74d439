"""Settings from DAYREEL_* environment variables: the only code that reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "change-me"
SHARED_SECRET_MISSING = (
    "DAYREEL_SECRET_KEY must be set when several processes share the database (a database server or the Redis "
    "queue): a key generated into one data dir would differ on every machine"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DAYREEL_", extra="ignore")

    data_dir: Path = Field(
        Path("./uploads"),
        description="The one folder to back up: media, derived files, renders, the SQLite database and queue.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite (WAL) at DATA_DIR/dayreel.db. PostgreSQL for scale."
    )
    queue_backend: Literal["sqlite", "redis", "immediate"] = Field(
        "sqlite",
        description="Job queue: 'sqlite' (embedded, in DATA_DIR), 'redis' (many workers), 'immediate' (inline, tests).",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis URL for the queue (queue_backend 'redis'); set, it also shares sign-in limits between "
        "web processes.",
    )
    queue_name: str = Field("dayreel", description="Queue name; deployments sharing one Redis need different names.")
    workers: int = Field(1, ge=1, description="Job worker threads run by `dayreel serve` or `dayreel worker`.")
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL used in invite links and QR codes (no trailing slash)."
    )
    secret_key: str | None = Field(
        None, description="Signs sessions and links; generated and kept in DATA_DIR/secret_key when not given."
    )
    environment: Literal["development", "production", "test"] = Field(
        "development", description="'production' refuses the default secret and sets secure cookies."
    )
    max_upload_mb: int = Field(2048, ge=1, description="Largest file a contributor may upload, in MiB.")
    max_photo_pixels: int = Field(
        100_000_000, ge=1, description="Largest photo in pixels (width x height); guards against decompression bombs."
    )
    max_clip_s: float = Field(600.0, gt=0, description="Longest clip accepted at upload, in seconds.")
    probe_timeout_s: float = Field(30.0, gt=0, description="Time limit for reading one file's metadata, in seconds.")
    cors_origins: str = Field(
        "", description="Comma-separated origins (https://example.org) whose pages may call /api/ (tus uploads); "
        "default none.",
    )
    render_workers: int | None = Field(None, description="Parallel encoder processes per render; default all cores.")
    trusted_proxies: str = Field(
        "", description="Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed; "
        "none by default (then the connecting address is the client).",
    )
    storage: Literal["local", "s3"] = Field(
        "local", description="Where media lives: 'local' (DATA_DIR) or 's3' (S3-compatible object storage)."
    )
    s3_endpoint: str | None = Field(None, description="S3 endpoint URL, e.g. http://127.0.0.1:8333; none for AWS.")
    s3_bucket: str | None = Field(None, description="Bucket for all media (storage 's3'); created when missing.")
    s3_region: str | None = Field(None, description="S3 region; default us-east-1.")
    s3_access_key: str | None = Field(None, description="S3 access key id.")
    s3_secret_key: str | None = Field(None, description="S3 secret access key.")
    cache_mb: int = Field(
        10240, ge=1, description="Local read cache of objects (storage 's3'), in MiB; least recently used go first.",
    )
    render_lease_s: int = Field(
        60, ge=5, description="A render's claim lasts this long and is renewed while it runs; a worker that stops "
        "renewing (crashed, cut off) loses the render to another after this many seconds.",
    )
    film_fanout: Literal["auto", "on", "off"] = Field(
        "auto", description="Spread one film's segments over all workers as queue jobs: 'auto' (on with the Redis "
        "queue, off on the embedded one, where one process renders a film on all its cores), 'on' or 'off'.",
    )
    render_cache_days: int = Field(
        30, ge=1, description="Film segments unused (not made again) for this many days are removed from the cache."
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        # a generated secret (None) is fine; a known or short one is not, outside development
        weak = self.secret_key is not None and (self.secret_key == DEV_SECRET or len(self.secret_key) < 16)
        if self.environment == "production" and weak:
            raise ValueError("DAYREEL_SECRET_KEY is too weak for production: use 16+ random characters or unset it")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        from app.client_address import parse_networks

        parse_networks(value)  # a typo is refused at start-up, not silently trusted or ignored
        return value

    @property
    def shared_redis_url(self) -> str | None:
        """Redis for state every web process must share (sign-in limits): when the queue uses it or
        DAYREEL_REDIS_URL is set explicitly."""
        return self.redis_url if self.queue_backend == "redis" or "redis_url" in self.model_fields_set else None

    @property
    def shared_database(self) -> bool:
        """Other processes, perhaps on other machines, may use this database: a server, not a SQLite file,
        or a Redis queue whose workers run elsewhere. Then nothing per-machine may stand in for shared state."""
        return not self.db_url.startswith("sqlite") or self.queue_backend == "redis"

    @property
    def fans_out(self) -> bool:
        """A film's segments go to the queue, one job each, so several workers render one film together."""
        return self.film_fanout == "on" or (self.film_fanout == "auto" and self.queue_backend == "redis")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'dayreel.db').resolve()}"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def resolved_secret(self) -> str:
        """The configured secret, else (one machine only) one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        if self.shared_database:
            raise ValueError(SHARED_SECRET_MISSING)
        self.ensure_dirs()
        path = self.data_dir / "secret_key"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(48))
            tmp.chmod(0o600)
            tmp.replace(path)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
