"""Property: the same tickets give the same numbers whatever the shape of the export (tests/export_shapes.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from export_shapes import SHAPES, Ticket, reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbound_playbook import baseline
from inbound_playbook.baseline import load
from inbound_playbook.params import RunContext

CTX = RunContext(timezone="UTC")


@st.composite
def ticket_lists(draw) -> list[Ticket]:
    n = draw(st.integers(1, 12))
    tickets = []
    for i in range(n):
        tickets.append(
            Ticket(
                id=f"T{i:03d}",
                start_min=draw(st.integers(0, 60 * 24 * 40)),
                duration_min=draw(st.one_of(st.none(), st.integers(1, 60 * 24 * 10))),
                work_min=draw(st.one_of(st.none(), st.integers(1, 600))),
                repeats=draw(st.integers(0, 2)),
            )
        )
    # a log in which no ticket reached the end step is refused (no such step), whatever its shape
    if all(t.duration_min is None for t in tickets):
        tickets[0] = Ticket(tickets[0].id, tickets[0].start_min, 60, tickets[0].work_min, tickets[0].repeats)
    return tickets


def numbers(section: dict) -> dict:
    log = load.load_events(baseline.Params(**section), CTX)
    hours = np.sort(log.tickets["hours"].dropna().to_numpy())
    return {"started": log.quality["started"], "completed": log.quality["completed"], "hours": hours}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tickets=ticket_lists())
def test_every_shape_gives_the_same_numbers(tickets):
    truth = reference(tickets)
    folder = Path(tempfile.mkdtemp(prefix="playbook-shapes-"))
    for name, write in SHAPES.items():
        got = numbers(write(tickets, folder))
        assert (got["started"], got["completed"]) == (truth["started"], truth["completed"]), name
        np.testing.assert_allclose(got["hours"], truth["hours"], rtol=0, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_shape_counts_what_it_collapses(tmp_path, name):
    """Repeats are collapsed and counted in the shapes that repeat rows; the unused repeated header is listed."""
    tickets = [Ticket("T001", 0, 90, repeats=2), Ticket("T002", 30, None)]
    section = SHAPES[name](tickets, tmp_path)
    log = load.load_events(baseline.Params(**section), CTX)
    expected = {"servicenow": 2, "process_mining": 2}.get(name, 0)
    assert log.quality["duplicate_events"] == expected
    assert log.quality["ignored_columns"] == (["Variant"] if name == "process_mining" else [])
    assert (log.quality["completed"], log.quality["still_open"]) == (1, 1)
