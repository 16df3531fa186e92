import os
import subprocess
import sys


def _settings_probe(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    code = f"import rapport.config.settings as s; print({expr})"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = _settings_probe({"RAPPORT_MODE": "production", "RAPPORT_VAR_DIR": str(tmp_path)}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_generates_and_keeps_a_key_in_demo_mode(tmp_path):
    env = {"RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(tmp_path)}
    first = _settings_probe(env, "s.SECRET_KEY").stdout.strip()
    second = _settings_probe(env, "s.SECRET_KEY").stdout.strip()
    assert len(first) > 40 and first == second
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_it_uses_sqlite_in_wal_mode_by_default_and_postgres_from_database_url(tmp_path):
    env = {"RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(tmp_path)}
    default = _settings_probe(env, "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']")
    assert "sqlite3" in default.stdout and "journal_mode=WAL" in default.stdout
    pg = _settings_probe({**env, "DATABASE_URL": "postgres://u@db.example:5432/crm"}, "s.DATABASES['default']")
    assert "postgresql" in pg.stdout and "'NAME': 'crm'" in pg.stdout


def test_it_rejects_an_unknown_mode():
    result = _settings_probe({"RAPPORT_MODE": "staging"}, "1")
    assert result.returncode != 0 and "RAPPORT_MODE" in result.stderr
