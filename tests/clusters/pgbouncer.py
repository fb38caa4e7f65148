"""A private PgBouncer in transaction pooling mode in front of a PostgreSQL server.

Debian's ``pgbouncer`` package, started per process on a spare port with its own
configuration, log and pid file in a temporary folder, in front of the shared server
(127.0.0.1:5432 by default); every database name is passed through. Few server
connections (``default_pool_size``) serve many clients, so consecutive transactions of
one client land on different server connections, as in production. It is stopped and
its folder removed when the process exits (``atexit``), or by ``stop()``::

    bouncer = PgBouncer.start()              # running, transaction pooling
    bouncer.url("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    # -> postgresql+psycopg://postgres@127.0.0.1:PORT/test
    bouncer.stop()

`bouncer_or_skip` is what a fixture calls: without ``pgbouncer``, or when it does not
start, the test skips with a one-line reason, and fails when ``CI`` is set (``.ci/run``
installs the package first).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from .postgres import spare_port

__all__ = ["PgBouncer", "bouncer_or_skip"]


class BouncerError(RuntimeError):
    """PgBouncer did not start; the message holds the end of its log."""


class PgBouncer:
    """One private ``pgbouncer`` process.

    Args:
        folder: Its configuration, user list, log and pid file.
        port: The port it listens on (127.0.0.1).
        process: The running process.
    """

    def __init__(self, folder: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.folder = folder
        self.port = port
        self.process = process

    @classmethod
    def start(
        cls,
        server: tuple[str, int] = ("127.0.0.1", 5432),
        *,
        user: str = "postgres",
        pool_size: int = 2,
    ) -> PgBouncer:
        """Start a PgBouncer in transaction pooling mode in front of ``server``.

        At most ``pool_size`` server connections per database and user. It runs as
        ``user`` (PgBouncer refuses to run as root), trusting every client it lists.
        """
        binary = shutil.which("pgbouncer")
        if binary is None:
            raise BouncerError("pgbouncer is not installed")
        folder = Path(tempfile.mkdtemp(prefix="tabouncer-"))
        port = spare_port()
        host, server_port = server
        (folder / "userlist.txt").write_text(f'"{user}" ""\n')
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={server_port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {folder / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\n"
            "max_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {folder / 'pgbouncer.log'}\n"
            f"pidfile = {folder / 'pgbouncer.pid'}\n"
        )
        command = [binary, str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(folder, user)
            for path in folder.iterdir():
                shutil.chown(path, user)
            command[1:1] = ["-u", user]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        bouncer = cls(folder, port, process)
        atexit.register(bouncer.stop)
        try:
            bouncer._wait_ready()
        except BaseException:
            bouncer.stop()
            raise
        return bouncer

    def url(self, server_url: str | sa.URL) -> str:
        """``server_url`` (a URL of the server behind it) through this PgBouncer."""
        url = sa.make_url(server_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def log(self) -> str:
        """The end of its log (2,000 characters)."""
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop it and remove its folder; nothing happens the second time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # immediate shutdown
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise BouncerError(f"pgbouncer exited: {self._last_words()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise BouncerError(f"pgbouncer not ready: {self._last_words()}") from None
                time.sleep(0.05)

    def _last_words(self) -> str:
        lines = (self.log() or "").strip().splitlines()
        if not lines and self.process.stderr is not None and self.process.poll() is not None:
            lines = self.process.stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no log"

    def __repr__(self) -> str:
        return f"<PgBouncer port={self.port} pid={self.process.pid}>"


def bouncer_or_skip(server: tuple[str, int] = ("127.0.0.1", 5432)) -> PgBouncer:
    """A running PgBouncer; skip when that is not possible here, fail under ``CI``."""
    try:
        return PgBouncer.start(server)
    except (BouncerError, OSError) as error:
        reason = f"no PgBouncer: {error} (apt-get install pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
