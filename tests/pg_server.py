"""A throwaway PostgreSQL server on 127.0.0.1 for the warehouse-source tests.

Uses the distribution's PostgreSQL binaries (``.ci/run`` installs them when missing and sets
PLAYBOOK_REQUIRE_POSTGRES=1, so in CI a missing server fails the tests instead of skipping them). The cluster lives
in a temporary folder with password (SCRAM) authentication and is stopped at the end of the session. PostgreSQL
refuses to run as root, so under root the server runs as the 'postgres' system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "correct-horse-battery-staple"
USER = "analyst"
DATABASE = "support"


def find_binaries() -> Path | None:
    for candidate in [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)]:
        if candidate and Path(candidate).with_name("initdb").exists():
            return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    folder: Path
    bin_dir: Path
    as_user: list[str]

    def url(self, password: str = "${PLAYBOOK_TEST_PG_PASSWORD}") -> str:
        return f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{self.port}/{DATABASE}"

    def ibis(self):
        """An Ibis connection to the test database as the test user (the password passed directly)."""
        import ibis

        return ibis.postgres.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, database=DATABASE)

    def libpq_url(self) -> str:
        """The URL a user writes when the password is in PGPASSWORD (never in the URL)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    bin_dir = find_binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    folder = Path(tempfile.mkdtemp(prefix="playbook-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off"
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = Server(port=port, folder=folder, bin_dir=bin_dir, as_user=as_user)
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    for _ in range(50):
        done = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                USER,
                "-d",
                "postgres",
                "-c",
                f"create database {DATABASE}",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"could not create the test database: {done.stderr}")
