"""An unreachable or wrong Dask scheduler (issue 12): refused in one line naming --scheduler and the address,
exit 2, within seconds, before --out is created (it used to wait 30 s, then fail through the catch-all)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from spsim.experiments.cli import commands as cli

from spsim.experiments.runs import executors
def refused(capsys, tmp_path, address: str, *extra: str) -> str:
    out = tmp_path / "out"
    start = time.monotonic()
    code = cli.main(["run", "baseline", "--executor", "dask", "--scheduler", address, *extra, "--out", str(out)])
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"--scheduler {cli.one_line(address)}" in err and "Traceback" not in err
    assert not out.exists()
    assert elapsed < executors.SCHEDULER_TIMEOUT_S + 3, f"took {elapsed:.1f} s"
    return err


@pytest.mark.slow
def test_a_closed_port_is_refused_within_seconds(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 2.0)  # Dask retries a refused connection until then
    assert "no Dask scheduler" in refused(capsys, tmp_path, "tcp://127.0.0.1:9")


@pytest.mark.parametrize("address", ["nonsense", "tcp://", "tcp://[::1", "inproc://x\nsecond line"])
def test_a_malformed_address_is_refused_at_once(capsys, tmp_path, address):
    refused(capsys, tmp_path, address)


def test_a_server_that_is_not_a_scheduler_is_refused(capsys, tmp_path, monkeypatch):
    """It accepts the connection and says nothing: the probe's own time limit ends the wait."""
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1.0)
    with socket.create_server(("127.0.0.1", 0)) as server:
        accepted = []
        threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
        refused(capsys, tmp_path, f"tcp://127.0.0.1:{server.getsockname()[1]}")
        for conn, _ in accepted:
            conn.close()


def test_a_scheduler_without_dask_is_refused(capsys, tmp_path):
    assert cli.main(["run", "baseline", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")]) == 2
    assert "needs --executor dask" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
