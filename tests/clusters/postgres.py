"""A private PostgreSQL 15 cluster on a spare port, for tests that stop and start the server.

The shared server on 5432 is never touched: outage tests (R-ALL-10) need a server they
may take down. A cluster is made with Debian's ``pg_createcluster`` (trust
authentication, owned by the ``postgres`` user), named after the process so that
parallel runs never collide, and removed with ``pg_dropcluster --stop`` when the run
ends, also after a failure or an interrupt (``atexit`` and the fixture's finalizer).
Later tests build on the same small API (a streaming replica is a second cluster
started from a base backup of the first)::

    cluster = PostgresCluster.create()   # made and started
    cluster.url("psycopg")               # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
    cluster.stop(); cluster.start(); cluster.restart()
    cluster.drop()                       # stopped and removed (idempotent)

`cluster_or_skip` is what a fixture calls: without ``pg_createcluster`` the test skips
with a one-line reason; when ``CI`` is set and the tools exist, a cluster that does
not start fails the test instead.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

__all__ = ["PG_VERSION", "PostgresCluster", "cluster_or_skip", "replica_or_skip", "spare_port"]

PG_VERSION = "15"
_TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster")
_serial = itertools.count()


def spare_port() -> int:
    """A TCP port nothing listens on right now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ClusterError(RuntimeError):
    """A cluster command failed; the message holds its output."""


class PostgresCluster:
    """One ``pg_createcluster`` cluster: start, stop, restart, its URL, drop.

    Args:
        name: The cluster's name (``pg_lsclusters``); unique per run.
        port: The TCP port it listens on (127.0.0.1).
    """

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.dropped = False

    @classmethod
    def create(
        cls, prefix: str = "tapg", *, settings: dict[str, str] | None = None
    ) -> PostgresCluster:
        """Make and start a new cluster named ``<prefix><pid>_<n>`` on a spare port.

        ``settings`` go to its ``postgresql.conf`` (``-o name=value``; one option each), e.g.
        ``{"wal_level": "replica"}``. The cluster is dropped when the process exits, if
        nothing dropped it before.
        """
        cluster = cls(f"{prefix}{os.getpid()}_{next(_serial)}", spare_port())
        options = [arg for item in (settings or {}).items() for arg in ("-o", "=".join(item))]
        atexit.register(cluster.drop)
        try:
            cluster._run(
                "pg_createcluster", PG_VERSION, cluster.name, "-p", str(cluster.port),
                *options, "--", "--auth-host=trust", "--auth-local=trust",
            )  # fmt: skip
            cluster.start()
        except BaseException:
            cluster.drop()
            raise
        return cluster

    @property
    def data_directory(self) -> Path:
        """Where the cluster keeps its data (owned by ``postgres``)."""
        return Path("/var/lib/postgresql", PG_VERSION, self.name)

    @classmethod
    def replica_of(cls, primary: PostgresCluster, prefix: str = "tarep") -> PostgresCluster:
        """Make and start a streaming replica of ``primary`` (hot standby, same version).

        A new cluster whose data directory is replaced by ``pg_basebackup -R -X stream``
        of the primary, run as the ``postgres`` user (``-R`` writes ``standby.signal``
        and the ``primary_conninfo``); the primary's default ``wal_level=replica`` and
        ``max_wal_senders`` and the trust rule for replication suffice.
        """
        replica = cls(f"{prefix}{os.getpid()}_{next(_serial)}", spare_port())
        atexit.register(replica.drop)
        try:
            replica._run(
                "pg_createcluster", PG_VERSION, replica.name, "-p", str(replica.port),
                "--", "--auth-host=trust", "--auth-local=trust",
            )  # fmt: skip
            data = replica.data_directory
            shutil.rmtree(data)
            replica._run(
                "install", "-d", "-o", "postgres", "-g", "postgres", "-m", "700", str(data)
            )
            replica._run(
                "runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1",
                "-p", str(primary.port), "-U", "postgres", "-D", str(data), "-R",
                "-X", "stream", "-c", "fast",
            )  # fmt: skip
            replica.start()
        except BaseException:
            replica.drop()
            raise
        return replica

    def url(self, driver: str = "psycopg", database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database of the cluster through ``driver``."""
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctlcluster", PG_VERSION, self.name, "start")
        self.wait_ready()

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended, nothing is lost)."""
        self._run("pg_ctlcluster", PG_VERSION, self.name, "stop", "-m", "fast")

    def restart(self) -> None:
        """Stop and start the server."""
        self.stop()
        self.start()

    def is_running(self) -> bool:
        """Whether the server process is up (``pg_ctlcluster status``)."""
        done = subprocess.run(
            ["pg_ctlcluster", PG_VERSION, self.name, "status"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Wait until the port accepts TCP connections."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise ClusterError(f"{self.name} not ready on port {self.port}") from None
                time.sleep(0.05)

    def drop(self) -> None:
        """Stop the server and remove the cluster; nothing happens the second time."""
        if self.dropped:
            return
        self.dropped = True
        subprocess.run(
            ["pg_dropcluster", "--stop", PG_VERSION, self.name],  # noqa: S607
            capture_output=True,
            check=False,
        )

    def _run(self, *command: str) -> None:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            raise ClusterError(
                f"{' '.join(command[:3])}: {output[-1] if output else done.returncode}"
            )

    def __repr__(self) -> str:
        return f"<PostgresCluster {self.name} port={self.port}>"


def replica_or_skip(primary: PostgresCluster) -> PostgresCluster:
    """A streaming replica of ``primary``; skip (fail under ``CI``) as `cluster_or_skip` does."""
    missing = [tool for tool in ("pg_basebackup", "runuser") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no streaming replica: {', '.join(missing)} not installed")
    try:
        return PostgresCluster.replica_of(primary)
    except (ClusterError, OSError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"streaming replica did not start: {error}", pytrace=False)
        pytest.skip(f"streaming replica did not start: {error}")


def cluster_or_skip(
    prefix: str = "tapg", *, settings: dict[str, str] | None = None
) -> PostgresCluster:
    """A new running cluster; skip (fail under ``CI``) when that is not possible here.

    Without the Debian tools the test skips with a one-line reason. With them, a
    cluster that cannot be made or started fails the test when ``CI`` is set (the run
    promised a real server) and skips elsewhere.
    """
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no private PostgreSQL cluster: {', '.join(missing)} not installed")
    try:
        return PostgresCluster.create(prefix, settings=settings)
    except (ClusterError, OSError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"private PostgreSQL cluster did not start: {error}", pytrace=False)
        pytest.skip(f"private PostgreSQL cluster did not start: {error}")
