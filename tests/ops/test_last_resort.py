"""The last-resort handler under a real uvicorn: an unexpected exception answers a 500
envelope naming the request id (also in the log line), and the keep-alive connection it came
on still serves the next request."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import REPO, STARTUP_SECONDS, clean_env, cli, free_port


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length, read off the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection; got {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-body")
        body += chunk
    return status, headers, body


def _get(sock: socket.socket, path: str, extra: str = "") -> tuple[int, dict[str, str], bytes]:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode())
    return _read_response(sock)


@pytest.fixture
def raising_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = clean_env(tmp_path / "var", FORYOU_LOG_JSON="true")
    assert cli(["migrate"], tmp_path, env).returncode == 0
    port = free_port()
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.ops.raising_app:app",
                "--port",
                str(port),
                "--no-proxy-headers",
                "--no-access-log",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield port, log_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_unexpected_error_is_a_500_envelope_and_keeps_the_connection(
    raising_server: tuple[int, Path],
) -> None:
    port, log_path = raising_server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        status, headers, body = _get(sock, "/_test/boom")
        assert status == 500
        assert headers["content-type"] == "application/json"
        request_id = headers["x-request-id"]
        assert json.loads(body) == {
            "success": False,
            "error": {
                "code": "INTERNAL_ERROR",
                "message": f"Something went wrong on our side (request {request_id}).",
                "details": {"requestId": request_id},
            },
        }
        assert headers.get("connection", "").lower() != "close"
        # The same connection answers the next request.
        status, headers, body = _get(sock, "/healthz")
        assert status == 200, body
        assert json.loads(body)["data"] == {"status": "ok"}
        assert headers["x-request-id"] != request_id
        # Once more after another failure, with a client's own request id (the peer,
        # 127.0.0.1, is the default trusted proxy).
        status, headers, _ = _get(sock, "/_test/boom", "X-Request-ID: probe-7\r\n")
        assert status == 500 and headers["x-request-id"] == "probe-7"
        assert _get(sock, "/healthz")[0] == 200
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    failures = [line for line in lines if line.get("event") == "unhandled_error"]
    assert [line["request_id"] for line in failures] == [request_id, "probe-7"]
    assert all("RuntimeError: boom" in line["exception"] for line in failures)
    assert not any("Exception in ASGI application" in str(line) for line in lines)
