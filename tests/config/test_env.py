import pytest

from rapport.config.env import ConfigError, env_bool, env_int, env_list, env_secret


def test_it_reads_booleans_in_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("off", False), ("FALSE", False), ("", True)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", default=True) is expected


def test_it_names_the_variable_when_a_value_is_malformed(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ConfigError, match="FLAG"):
        env_bool("FLAG")
    monkeypatch.setenv("WORKERS", "four")
    with pytest.raises(ConfigError, match="WORKERS"):
        env_int("WORKERS", 2)


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("API_SECRET", raising=False)
    monkeypatch.setenv("API_SECRET_FILE", str(secret))
    assert env_secret("API_SECRET") == "s3cret"
    monkeypatch.setenv("API_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="API_SECRET_FILE"):
        env_secret("API_SECRET")
