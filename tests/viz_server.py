"""`spsim viz` started for a test on a free port, waited for, and stopped afterwards (the browser test and the
page-server guard test both need one)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 180  # the first start may fetch the page's assets from the npm registry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assets_fetched() -> None:
    """The page's front-end assets in Solara's cache (fetched once, under a lock: the browser test and the guard
    test may start their servers at the same moment, and `spsim viz --no-fetch` refuses to serve without them)."""
    import fcntl

    from spsim.experiments.viz import assets as viz_assets

    folder = viz_assets.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder.parent / ".spsim-assets.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        viz_assets.ensure(folder, echo=lambda _: None)


@contextmanager
def running_viz(answers: Callable[[int], bool], *options: str, log: IO | None = None) -> Iterator[int]:
    """Yield the port of a running `spsim viz` once ``answers(port)`` is true; its output goes to ``log``
    (or is kept to explain a failed start)."""
    assets_fetched()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "spsim.experiments", "viz", "--port", str(port), *options], cwd=ROOT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=log or subprocess.DEVNULL,
                               stderr=log or subprocess.PIPE)  # fmt: skip

    def why() -> str:
        return f"see {log.name}" if log else process.stderr.read().decode()[-2000:]

    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"spsim viz exited with code {process.returncode}: {why()}")
            try:
                if answers(port):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"spsim viz did not answer within {START_SECONDS} s")
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
