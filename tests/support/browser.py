"""Real-browser tests: where Chromium is, and a real HTTP server (waitress) for a Flask app."""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator

import waitress
from waitress import wasyncore

DEBIAN_CHROMIUM = "/usr/bin/chromium"
NO_CHROMIUM = "BROWSER TESTS NOT RUN: no Chromium found (apt-get install chromium)"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    """Debian's Chromium (never a Playwright download): its path, or None."""
    candidates = [os.environ.get("ASP_CHROMIUM"), DEBIAN_CHROMIUM, shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` over real HTTP on a free local port; yields the base URL (no trailing slash)."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        # waitress's own run() loops until its map is empty; closing sockets from another thread
        # while it sits in select() fails with EBADF. So the loop is ours, and it stops itself.
        try:
            while not stopping.is_set():
                wasyncore.loop(timeout=0.1, map=server._map, use_poll=server.adj.asyncore_use_poll,
                               count=1)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)

    thread = threading.Thread(target=serve, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        thread.join(timeout=10)
