"""A real 3-node OpenSearch cluster on loopback for the tests, started by
``scripts/opensearch-cluster`` (built from Maven Central by ``cluster/pom.xml``)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "opensearch-cluster"
NODES = 3
#: Seconds the build (the first one downloads OpenSearch) and the start may take.
START_SECONDS = 900


@dataclass
class Cluster:
    """The nodes started in ``folder``; node ``i`` answers HTTP on ``http_port + i``."""

    folder: Path
    http_port: int
    transport_port: int

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.http_port + i}" for i in range(NODES)]

    @property
    def url(self) -> str:
        """Every node's URL, comma-separated, as ``--opensearch-url`` takes them."""
        return ",".join(self.urls)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "NODES": str(NODES),
            "HTTP_PORT": str(self.http_port),
            "TRANSPORT_PORT": str(self.transport_port),
        }
        return subprocess.run(
            [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=START_SECONDS
        )

    def start(self) -> str | None:
        """Start the cluster; None, or why it could not start."""
        done = self._run("start", str(self.folder))
        if done.returncode == 0:
            return None
        return (done.stderr.strip().splitlines() or ["no message"])[-1]

    def stop(self) -> None:
        self._run("stop", str(self.folder))

    def kill(self, node: int) -> None:
        """Kill node ``node`` at once, as a machine is lost (no shutdown, no goodbye)."""
        pid = int((self.folder / f"node-{node}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self, node: int) -> None:
        """Start node ``node`` again and wait until it has joined."""
        done = self._run("node", str(node), str(self.folder))
        assert done.returncode == 0, done.stderr


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a killed node not yet reaped by init counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def missing_tools() -> str | None:
    """Why the cluster cannot be started here, if a tool is missing."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return (
                f"{tool} is not installed: the OpenSearch cluster is built with Maven "
                "and runs on Java 17"
            )
    return None


def free_ports() -> tuple[int, int]:
    """A first HTTP and transport port, each with :data:`NODES` free ports from it."""
    for _ in range(100):
        http = random.randrange(20_000, 30_000, 10)
        transport = random.randrange(30_000, 40_000, 10)
        if all(_free(port + i) for port in (http, transport) for i in range(NODES)):
            return http, transport
    raise RuntimeError("no free loopback ports for the OpenSearch cluster")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
