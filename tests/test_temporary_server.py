"""The temporary Prefect server a run starts: on 127.0.0.1, answering, then stopped."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

from parkstat.temporary_server import MARKER, ServerDidNotStart, TemporaryServer, prefect_api


def _health(url: str) -> int:
    with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
        return answer.status


def test_a_run_without_a_server_gets_one_on_localhost_and_it_stops(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_api(tmp_path / "prefect") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert os.environ["PREFECT_API_URL"] == server.url and os.environ[MARKER]
        server.wait_ready(180)
        assert _health(server.url) == 200
        process = server.process
    assert process.poll() is not None  # stopped with the run
    assert "PREFECT_API_URL" not in os.environ and MARKER not in os.environ
    with pytest.raises(urllib.error.URLError):
        _health(server.url)


def test_a_configured_server_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    with prefect_api(tmp_path) as server:
        assert server is None
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"


def test_a_server_that_does_not_answer_names_its_log(tmp_path):
    server = TemporaryServer(tmp_path / "server.log")
    server.start()
    try:
        with pytest.raises(ServerDidNotStart, match="server.log"):
            server.wait_ready(0.01)
    finally:
        server.stop()
