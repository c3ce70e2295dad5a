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


def baseline_config_text(team: str, events_value: str) -> str:
    """A team.yml with the sample team's baseline steps and 24 h SLA, reading events from ``events_value``."""
    return (
        f"team: {team}\ntimezone: Asia/Singapore\nbaseline:\n  events: {events_value}\n"
        "  start_step: Evidence received\n  end_step: Resolution proposed\n  sla_hours: 24\n"
    )


def glued_values(notebook_path: Path) -> dict[str, object]:
    """The values a notebook glued (myst-nb stores them as outputs carrying 'scrapbook' metadata)."""
    import nbformat

    values = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next(v for k, v in output["data"].items() if k.endswith("text/plain"))
                values[name] = eval(text, {"__builtins__": {}})  # plain literals (numbers, strings) only
    return values


# The fast lane (`make test-fast`, under 90 s on 2 cores) is every test not marked `slow`: unit and reference tests.
# Slow are the tests that execute notebooks, drive a browser, start a server or engine, run the command line in a
# subprocess over and over, or run a whole analysis on the sample team or a real export: the markers and fixtures
# below, whole modules whose every test does one of those things, and single tests that do. Each statistics module
# and each analysis's reference values keep fast tests (test_*_stats.py, test_its_references.py, ...).
SLOW_MARKERS = ("notebook", "browser", "postgres", "spark")
SLOW_FIXTURES = ("spark", "spark_connect_url", "postgres", "sample_run")  # an engine, a server or a whole run
SLOW_MODULES = {
    "test_bad_inputs.py",  # one `playbook` subprocess per bad input (over a hundred)
    "test_runner.py",  # whole runs with kernels
    "test_sample_data.py",  # regenerates the sample team twice
    "test_site_build.py",  # Sphinx builds
    "test_site_html.py",  # reads the built site
    "test_onboarding_commands.py",  # runs the onboarding page's commands as written
    "test_second_team.py",  # runs every notebook on a second team
    "test_baseline_sample.py",  # the whole baseline on the sample team (planted effects)
    "test_survey_sample.py",  # the whole survey on the sample team
    "test_its_sample_team.py",  # the whole ITS on the sample team
    "test_real_exports.py",  # the whole baseline on the real ServiceNow export
}
SLOW_TESTS = {
    # a whole analysis on the sample team or a real export, the same numbers by two paths
    "test_api.py::test_baseline_from_a_frame_equals_the_file_path",
    "test_api.py::test_baseline_result_plots_labelled_figures",
    "test_api.py::test_every_key_a_result_writes_is_stated_on_its_type",
    "test_api.py::test_survey_from_a_frame_equals_the_file_path",
    "test_api.py::test_its_from_a_frame_equals_the_file_path",
    "test_api.py::test_feasibility_with_given_sd_and_icc_equals_the_notebook_path",
    "test_api.py::test_feasibility_estimates_from_an_intervals_frame_equal_the_baseline_section",
    "test_baseline_engines.py::test_duckdb_memtable_gives_the_file_paths_tickets[sample]",
    "test_baseline_engines.py::test_a_pandas_frame_through_load_table_gives_the_file_paths_tickets[sample]",
    "test_baseline_fast_path.py::test_sample_team_fast_path_equals_slow_path_and_prepared_table",
    "test_feasibility_analysis.py::test_sample_team_analysis",
    "test_real_exports_shapes.py::test_every_shape_gives_the_same_numbers",
    # over 2 s each on an idle core
    "test_properties.py::test_config_loader_raises_only_input_error_on_arbitrary_text",
    "test_survey_themes.py::test_reruns_are_byte_identical",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (
            item.path.name in SLOW_MODULES
            or f"{item.path.name}::{item.name}" in SLOW_TESTS
            or any(item.get_closest_marker(name) for name in SLOW_MARKERS)
            or any(name in getattr(item, "fixturenames", ()) for name in SLOW_FIXTURES)
        ):
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
