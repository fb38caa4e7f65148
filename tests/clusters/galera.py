"""A private 3-node MariaDB Galera cluster on spare ports, for the multi-primary tests.

The shared server on 3306 is never touched. Each node is its own ``mariadbd`` with its
own datadir (``mariadb-install-db``) and config file under one temporary directory,
owned by the ``mysql`` user (the rsync state transfer drops privileges and must enter
the datadir), and its own client, gcomm, IST and SST ports. The first node starts
with ``--wsrep-new-cluster``; the cluster is ready when every node reports ``Synced``
and ``wsrep_cluster_size`` is 3. It is stopped bootstrap-last and removed when the run
ends, also after a failure or an interrupt (``atexit`` and the fixture's finalizer)::

    cluster = GaleraCluster.create()   # 3 nodes made, started and synced
    cluster.url(0)                     # mysql+pymysql://root@127.0.0.1:PORT/teamaccess
    cluster.drop()                     # stopped and removed (idempotent)

`cluster_or_skip` is what a fixture calls: without ``mariadbd`` or the galera provider
the test skips with a one-line reason; when ``CI`` is set and the tools exist, a
cluster that does not start fails the test instead.
"""

from __future__ import annotations

import atexit
import getpass
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .postgres import ClusterError, spare_port

__all__ = ["PROVIDER", "GaleraCluster", "cluster_or_skip"]

PROVIDER = "/usr/lib/galera/libgalera_smm.so"
DATABASE = "teamaccess"
_USER = "mysql" if os.geteuid() == 0 else getpass.getuser()
"""The nodes' user: ``mysql`` when the tests run as root, else the tests' own user."""
_TOOLS = ("mariadbd", "mariadb-install-db", "mariadb", "rsync")
_CONFIG = """\
[mariadbd]
datadir={datadir}
socket={base}/node{n}.sock
pid-file={base}/node{n}.pid
log-error={base}/node{n}.err
port={port}
bind-address=127.0.0.1
skip-name-resolve
skip-log-bin
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider={provider}
wsrep_cluster_name=teamaccess_{tag}
wsrep_cluster_address=gcomm://{peers}
wsrep_node_address=127.0.0.1
wsrep_node_name=node{n}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:{gcomm};ist.recv_addr=127.0.0.1:{ist};gcache.size=32M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:{sst}
wsrep_slave_threads=2
"""


class GaleraNode:
    """One ``mariadbd`` of the cluster: its ports, files and process."""

    def __init__(self, base: Path, n: int, tag: str) -> None:
        self.n = n
        self.base = base
        self.tag = tag
        self.port, self.gcomm, self.ist, self.sst = (spare_port() for _ in range(4))
        self.datadir = base / f"data{n}"
        self.config = base / f"node{n}.cnf"
        self.process: subprocess.Popen[bytes] | None = None

    def write_config(self, peers: str) -> None:
        """Write the node's option file."""
        values = {
            "datadir": self.datadir, "base": self.base, "n": self.n, "port": self.port,
            "provider": PROVIDER, "tag": self.tag, "peers": peers, "gcomm": self.gcomm,
            "ist": self.ist, "sst": self.sst,
        }  # fmt: skip
        self.config.write_text(_CONFIG.format(**values))

    def install(self) -> None:
        """Make the node's datadir with the system tables (``mariadb-install-db``)."""
        _run(
            "mariadb-install-db", f"--defaults-file={self.config}", f"--user={_USER}",
            f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
            "--skip-test-db", "--skip-name-resolve",
        )  # fmt: skip

    def start(self, *, bootstrap: bool = False) -> None:
        """Start the server process (``--wsrep-new-cluster`` for the first node)."""
        command = ["mariadbd", f"--defaults-file={self.config}", f"--user={_USER}"]
        if bootstrap:
            command.append("--wsrep-new-cluster")
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def sql(self, statement: str) -> str:
        """Run one statement as root through the node's socket; its output, tab-separated."""
        client = ["mariadb", f"--socket={self.base}/node{self.n}.sock", "-uroot", "-N", "-B"]
        done = subprocess.run(
            [*client, "-e", statement],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if done.returncode != 0:
            raise ClusterError(f"node{self.n}: {done.stderr.strip()}")
        return done.stdout.strip()

    def status(self, name: str) -> str:
        """One ``SHOW STATUS`` value, or '' while the node does not answer."""
        try:
            out = self.sql(f"SHOW STATUS LIKE '{name}'")
        except (ClusterError, subprocess.TimeoutExpired):
            return ""
        return out.split("\t")[1] if "\t" in out else ""

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``)."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 3) -> str:
        """The last lines of the node's error log (for failure messages)."""
        try:
            text = (self.base / f"node{self.n}.err").read_text(errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])


class GaleraCluster:
    """Three Galera nodes on one machine: made, started, synced, their URLs, dropped."""

    def __init__(self, base: Path, size: int = 3) -> None:
        self.base = base
        tag = f"{os.getpid()}"
        self.nodes = [GaleraNode(base, n, tag) for n in range(size)]
        self.dropped = False

    @classmethod
    def create(cls, size: int = 3, timeout: float = 90.0) -> GaleraCluster:
        """Make and start a cluster of ``size`` nodes; dropped at exit if nothing did before."""
        base = Path(tempfile.mkdtemp(prefix="tagalera"))
        cluster = cls(base, size)
        atexit.register(cluster.drop)
        try:
            cluster._start(timeout)
        except BaseException:
            cluster.drop()
            raise
        return cluster

    def _start(self, timeout: float) -> None:
        if os.geteuid() == 0:  # as root the nodes run as mysql (rsync SST must enter the datadir)
            shutil.chown(self.base, "mysql", "mysql")
        self.base.chmod(0o755)
        peers = ",".join(f"127.0.0.1:{node.gcomm}" for node in self.nodes)
        for node in self.nodes:
            node.write_config(peers)
            node.install()
        first, *joiners = self.nodes
        first.start(bootstrap=True)
        self._wait(lambda: first.status("wsrep_local_state_comment") == "Synced", timeout)
        first.sql(
            f"CREATE DATABASE {DATABASE}; "
            "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; "
            "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
        )
        for node in joiners:  # one at a time: each joiner takes a full rsync SST
            node.start()
            self._wait(lambda n=node: n.status("wsrep_local_state_comment") == "Synced", timeout)
        self._wait(
            lambda: all(n.status("wsrep_cluster_size") == str(len(self.nodes)) for n in self.nodes),
            timeout,
        )

    def _wait(self, ready: object, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():  # type: ignore[operator]
            dead = [node for node in self.nodes if node.process is not None and not node.alive()]
            if dead:
                raise ClusterError(f"galera node{dead[0].n} exited: {dead[0].log_tail()}")
            if time.monotonic() > deadline:
                tails = "; ".join(f"node{n.n}: {n.log_tail(1)}" for n in self.nodes)
                raise ClusterError(f"galera cluster not synced in {timeout:.0f}s ({tails})")
            time.sleep(0.2)

    def url(self, node: int, driver: str = "pymysql") -> str:
        """The SQLAlchemy URL of the test database through ``node``."""
        return f"mysql+{driver}://root@127.0.0.1:{self.nodes[node].port}/{DATABASE}"

    def drop(self) -> None:
        """Stop the nodes (bootstrap node last) and remove their files; idempotent."""
        if self.dropped:
            return
        self.dropped = True
        for node in reversed(self.nodes):
            node.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __repr__(self) -> str:
        ports = ",".join(str(node.port) for node in self.nodes)
        return f"<GaleraCluster ports={ports}>"


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()
        raise ClusterError(f"{command[0]}: {output[-1] if output else done.returncode}")


def cluster_or_skip() -> GaleraCluster:
    """A new running 3-node cluster; skip (fail under ``CI``) when that is not possible here."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if not Path(PROVIDER).exists():
        missing.append(PROVIDER)
    if missing:
        pytest.skip(f"no private Galera cluster: {', '.join(missing)} not installed")
    try:
        return GaleraCluster.create()
    except (ClusterError, OSError, subprocess.SubprocessError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"private Galera cluster did not start: {error}", pytrace=False)
        pytest.skip(f"private Galera cluster did not start: {error}")
