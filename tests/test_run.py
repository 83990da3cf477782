"""`monitor run`: the scheduled loop stops cleanly on SIGTERM/SIGINT, even mid-request."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading

import pytest


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: a request in flight forever."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_within_seconds_with_a_request_in_flight(write_config, signum):
    server = SilentServer()
    config = write_config([f"http://127.0.0.1:{server.port}/feed.xml"],
                          extra="poll:\n  interval: 1h\n")
    # A long request deadline: only abandoning the request can make the exit quick.
    config.write_text(config.read_text().replace("timeout: 5s", "timeout: 120s"))
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.accepted.wait(60), "the first round did not start"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        server.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in err
