"""The ``rapport`` command answers every mistake with one readable line and a non-zero exit."""

import os
import subprocess
import sys

import pytest


def rapport(*args: str, env: dict[str, str] | None = None, var_dir=None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL"}}
    base.update({"RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(var_dir or "/tmp/rapport-cli-test")})
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "rapport.cli", *args], env=base, capture_output=True, text=True, timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2, result.stderr  # Django adds "Type 'rapport help'" after an unknown command
    for text in expected:
        assert text in result.stderr


def test_an_unknown_command_is_one_line(tmp_path):
    assert_one_line_error(rapport("frobnicate", var_dir=tmp_path), "Unknown command: 'frobnicate'")


def test_an_unknown_option_is_one_line(tmp_path):
    assert_one_line_error(rapport("migrate", "--bogus", var_dir=tmp_path), "unrecognized arguments: --bogus")


def test_a_bad_option_value_is_one_line(tmp_path):
    assert_one_line_error(rapport("serve", "--workers", "many", var_dir=tmp_path), "--workers")
    assert_one_line_error(rapport("serve", "--workers", "0", var_dir=tmp_path), "--workers")


def test_production_without_a_secret_key_says_what_is_missing(tmp_path):
    result = rapport("check", env={"RAPPORT_MODE": "production"}, var_dir=tmp_path)
    assert_one_line_error(result, "SECRET_KEY must be set")


def test_a_missing_file_is_one_line(tmp_path):
    rapport("migrate", var_dir=tmp_path)
    result = rapport("loaddata", str(tmp_path / "missing.json"), var_dir=tmp_path)
    assert_one_line_error(result, "missing")


def test_demo_refuses_to_run_outside_demo_mode(tmp_path):
    result = rapport("demo", "--no-serve", env={"RAPPORT_MODE": "test"}, var_dir=tmp_path)
    assert_one_line_error(result, "demo mode")


@pytest.mark.parametrize("args", [["--port", "70000"], ["--customers", "-1"]])
def test_demo_checks_its_arguments(tmp_path, args):
    assert_one_line_error(rapport("demo", "--no-serve", *args, var_dir=tmp_path), args[0])
