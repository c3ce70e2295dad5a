"""Shared fixtures: paths of the repository and the sample team."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_TEAM = REPO / "data" / "sample-team"
NOTEBOOKS = REPO / "notebooks"
sys.path.insert(0, str(Path(__file__).parent))  # test helper modules (pg_server)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def sample_team_copy(tmp_path) -> Path:
    """A private copy of the sample team, so a test may edit its config or data."""
    target = tmp_path / "team"
    shutil.copytree(SAMPLE_TEAM, target)
    return target


@pytest.fixture(scope="session")
def postgres():
    """A running PostgreSQL server (skips with a message when none is installed, unless CI requires it)."""
    import os

    import pg_server

    if pg_server.find_binaries() is None:
        if os.environ.get("PLAYBOOK_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required here (PLAYBOOK_REQUIRE_POSTGRES=1) but initdb/pg_ctl are missing")
        pytest.skip("PostgreSQL server not installed: apt-get install postgresql (the warehouse-source tests need it)")
    server = pg_server.start()
    yield server
    server.stop()


def run_sample_team(repo: Path, out: Path):
    """`playbook run` on the sample team into ``out`` (a subprocess, as a user would run it)."""
    import subprocess

    playbook = Path(sys.executable).parent / "playbook"
    return subprocess.run(
        [str(playbook), "run", str(repo / "data" / "sample-team" / "team.yml"), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def sample_run(repo, tmp_path_factory) -> Path:
    """One full run of the sample team, shared by the end-to-end and book-number tests."""
    out = tmp_path_factory.mktemp("sample") / "run"
    done = run_sample_team(repo, out)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


# The fast lane (`make test-fast`, under 90 s on 2 cores) is every test not marked `slow`. Slow are the tests that
# execute notebooks, drive a browser, start a server or engine, or run the command line in a subprocess over and
# over: the markers below, and whole modules whose every test does one of those things.
SLOW_MARKERS = ("notebook", "browser", "postgres", "spark")
SLOW_MODULES = {
    "test_bad_inputs.py",  # one `playbook` subprocess per bad input (over a hundred)
    "test_runner.py",  # whole runs with kernels
    "test_sample_data.py",  # regenerates the sample team twice
    "test_site_build.py",  # Sphinx builds
    "test_site_html.py",  # reads the built site
    "test_onboarding_commands.py",  # runs the onboarding page's commands as written
    "test_second_team.py",  # runs every notebook on a second team
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES or any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (local[2]) for the whole test session: started once, small shuffles, no web UI,
    bound to 127.0.0.1, errors-only logs. Skips without pyspark or Java, unless CI requires it
    (PLAYBOOK_REQUIRE_SPARK=1, set by .ci/run, which installs both)."""
    import importlib.util
    import os
    import shutil

    missing = [
        what
        for what, absent in (
            ("pyspark (pip install 'inbound-playbook[spark]')", importlib.util.find_spec("pyspark") is None),
            (
                "Java (apt-get install openjdk-17-jre-headless)",
                shutil.which("java") is None and not os.environ.get("JAVA_HOME"),
            ),
        )
        if absent
    ]
    if missing:
        if os.environ.get("PLAYBOOK_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark is required here (PLAYBOOK_REQUIRE_SPARK=1) but missing: {', '.join(missing)}")
        pytest.skip(f"Spark tests need {', '.join(missing)}")
    from inbound_playbook.engines import spark_session

    session = spark_session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_connect_url(spark, tmp_path_factory):
    """``sc://127.0.0.1:PORT`` of a Spark Connect server (local[1], pyspark's bundled server jar) started for the
    session in its own JVM, bound to 127.0.0.1; stopped at the end. Depends on ``spark`` for the skip/require rule."""
    import socket
    import subprocess
    import time
    from pathlib import Path

    import pyspark

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("spark-connect") / "server.log"
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    command = [
        str(submit),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[1]",
        "--name",
        "playbook-test-connect",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.shuffle.partitions=2",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "spark-internal",
    ]
    env = {**__import__("os").environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    with open(log, "wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"the Spark Connect server exited: {log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the Spark Connect server did not listen within 120 s: {log.read_text()[-2000:]}")
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
