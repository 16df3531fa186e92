"""`rapport demo` (what `make run` does) prepares the data once, serves the pages and stops on Ctrl-C."""

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL"}}
    env.update({"RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(var_dir)})
    return env


def _wait_for(url: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@pytest.mark.slow
def test_demo_serves_the_login_page_and_the_customers_then_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "demo", "--port", str(port), "--customers", "40"],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_for(f"{base}/login/", timeout=180) == 200

        # Sign in as the printed demo user and read the API's customer list.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/login/", timeout=10).read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode({"username": "demo", "password": "demo", "csrfmiddlewaretoken": token})
        request = urllib.request.Request(f"{base}/login/", data=form.encode(), headers={"Referer": f"{base}/login/"})
        home = opener.open(request, timeout=10).read().decode()
        assert "Welcome" in home
        admin_page = opener.open(f"{base}/admin/customers/customer/", timeout=10).read().decode()
        assert "customer" in admin_page.lower()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        output, _ = proc.communicate(timeout=60)
    assert "sign in as demo / demo" in output
    assert proc.returncode is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.slow
def test_a_second_demo_run_reuses_the_data(tmp_path):
    env = _env(tmp_path)
    cmd = [sys.executable, "-m", "rapport.cli", "demo", "--no-serve", "--customers", "25"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=True)
    assert "Creating 25 demo customers" in first.stdout
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=True)
    assert "Creating" not in second.stdout and "Demo data ready" in second.stdout
