"""The file path (the reader, then ``reduce.reduce_table``) equals the table path on the same events, and the run's
prepared table equals both.

Files and tables share one chain of Ibis expressions; they differ in how the events arrive (the file reader adds
the file's rows for messages, a table comes as ``ibis.memtable``). Both must give the same per-ticket table on every
kind of log: a fixed-offset zone, a zone with daylight saving time, offsets in the text, rework (end events before
and after the start), Parquet input, the sample team. (Until the data path was one chain, these tests compared the
old SQL path's one-pass reduction with its row-numbered slow path.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from inbound_playbook import baseline
from inbound_playbook.baseline import load
from inbound_playbook.config import load_config
from inbound_playbook.params import RunContext

REPO = Path(__file__).resolve().parents[1]
START, END = "Evidence received", "Resolution proposed"

REWORK_LOG = (
    "\n".join(
        [
            "ticket_id,step,timestamp,outcome,agent",
            "A,Ticket created,2026-03-29 00:10:00,,a1",
            "A,Resolution proposed,2026-03-29 00:30:00,,a1",  # an end before the start: ignored
            "A,Evidence received,2026-03-29 00:45:00,,a2",
            "A,Resolution proposed,2026-03-29 03:15:00,,a2",  # the first end at or after the start, across the DST gap
            "A,Resolution proposed,2026-03-29 04:00:00,Exchange,a2",
            "A,Closed,2026-03-29 05:00:00,Refund,a2",
            "B,Ticket created,2026-10-25 00:30:00,,b1",
            "B,Evidence received,2026-10-25 01:10:00,,b1",  # inside the repeated hour in London
            "B,Resolution proposed,2026-10-25 02:20:00,,b1",
            "C,Evidence received,2026-10-26 09:00:00,,c1",
            "C,Ticket created,2026-10-26 08:00:00,,c1",
            "D,Ticket created,2026-10-27 08:00:00,Refund,d1",
            "D,Evidence received,2026-10-27 08:30:00,Exchange,d2",  # same time as the next row: tie broken by the value
            "D,Resolution proposed,2026-10-27 08:30:00,Refund,d1",
            "D,Closed,2026-10-27 09:00:00,,d1",
        ]
    )
    + "\n"
)

OFFSET_LOG = (
    "\n".join(
        [
            "ticket_id,step,timestamp,outcome,agent",
            "A,Evidence received,2026-05-04T09:00:00+08:00,,a1",
            "A,Resolution proposed,2026-05-04T03:30:00Z,,a1",
            "B,Evidence received,2026-05-04 10:00:00,,a1",  # naive after an offset: local wall time
            "B,Resolution proposed,2026-05-04T11:00:00.250+08:00,Refund,a1",
        ]
    )
    + "\n"
)


def _params(path: Path, **extra) -> baseline.Params:
    return baseline.Params(
        events=str(path),
        start_step=START,
        end_step=END,
        outcome_column="outcome",
        agent_column="agent",
        workflow_start_step="Ticket created",
        workflow_end_step="Resolution proposed",
        **extra,
    )


def _slow_frame(params: baseline.Params, timezone: str) -> pd.DataFrame:
    """The per-ticket frame of the same events given as a table (every column text, as exported)."""
    import ibis

    path = Path(params.events)
    is_parquet = path.suffix == ".parquet"
    frame = pd.read_parquet(path) if is_parquet else pd.read_csv(path, dtype=str, keep_default_na=False)
    return load.load_table(ibis.memtable(frame), params, timezone, with_ids=True).tickets


def _fast(params: baseline.Params, timezone: str, monkeypatch) -> load.TicketLog:
    """load_events on the file."""
    return load.load_events(params, RunContext(timezone=timezone), with_ids=True)


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    key = ["ticket_id"] if "ticket_id" in fast else ["start_us", "workflow_start_us"]
    fast = fast.sort_values(key, na_position="first").reset_index(drop=True)
    slow = slow.sort_values(key, na_position="first").reset_index(drop=True)[fast.columns]
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


@pytest.mark.parametrize("timezone", ["Asia/Singapore", "Europe/London", "UTC"])
def test_fast_path_equals_slow_path_with_rework_and_dst(tmp_path, timezone, monkeypatch):
    path = tmp_path / "events.csv"
    path.write_text(REWORK_LOG, encoding="utf-8")
    params = _params(path)
    fast = _fast(params, timezone, monkeypatch)
    _assert_same(fast.tickets, _slow_frame(params, timezone))
    a = fast.tickets.set_index("ticket_id").loc["A"]
    # 00:45 -> 03:15 local: 1.5 hours in London (the clocks skip 01:00-02:00), 2.5 hours in a fixed zone
    assert a["hours"] == (1.5 if timezone == "Europe/London" else 2.5)
    d = fast.tickets.set_index("ticket_id").loc["D"]
    # outcome: the last non-blank values tie at 08:30, so the larger value wins whatever the row order; agent: the
    # 09:00 row is the last
    assert d["outcome"] == "Refund" and d["agent"] == "d1"


def test_offsets_in_a_fixed_offset_zone_fall_back_to_the_general_conversion(tmp_path, monkeypatch):
    path = tmp_path / "events.csv"
    path.write_text(OFFSET_LOG, encoding="utf-8")
    params = baseline.Params(events=str(path), start_step=START, end_step=END, outcome_column="outcome")
    fast = _fast(params, "Asia/Singapore", monkeypatch)
    _assert_same(fast.tickets, _slow_frame(params, "Asia/Singapore"))
    hours = fast.tickets.set_index("ticket_id")["hours"]
    assert hours["A"] == 2.5 and hours["B"] == 1 + 0.25 / 3600


def test_dates_before_2000_in_singapore_use_the_general_conversion(tmp_path, monkeypatch):
    """Singapore moved from UTC+07:30 to UTC+08:00 in 1982: wall times then are not a constant shift away."""
    path = tmp_path / "events.csv"
    path.write_text(REWORK_LOG.replace("2026-03-29", "1981-12-31"), encoding="utf-8")
    params = _params(path)
    fast = _fast(params, "Asia/Singapore", monkeypatch)
    _assert_same(fast.tickets, _slow_frame(params, "Asia/Singapore"))
    # 1981-12-31 23:30 wall time jumped to 1982-01-01 00:00: 00:45 -> 03:15 on 1981-12-31 is still 2.5 hours
    a = fast.tickets.set_index("ticket_id").loc["A"]
    assert a["start_us"] == pd.Timestamp("1981-12-31 00:45", tz="Asia/Singapore").value / 1000


def test_parquet_log_fast_path_equals_slow_path(tmp_path, monkeypatch):
    csv = tmp_path / "events.csv"
    csv.write_text(REWORK_LOG, encoding="utf-8")
    frame = pd.read_csv(csv, keep_default_na=False)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    path = tmp_path / "events.parquet"
    frame.to_parquet(path, index=False)
    params = _params(path)
    for timezone in ("Asia/Singapore", "Europe/London"):
        fast = _fast(params, timezone, monkeypatch)
        _assert_same(fast.tickets, _slow_frame(params, timezone))


def test_sample_team_fast_path_equals_slow_path_and_prepared_table(tmp_path, monkeypatch):
    config = load_config(REPO / "data/sample-team/team.yml")
    params = config.baseline
    fast = _fast(params, config.timezone, monkeypatch)
    _assert_same(fast.tickets, _slow_frame(params, config.timezone))
    # the run's prepared table (validation -> Parquet -> notebook) is the same table again
    context = config.context(prepared_dir=tmp_path)
    baseline.validate(params, context)
    assert (tmp_path / load.PREPARED_FILE).is_file()
    prepared = load.prepared_or_loaded(params, context, with_ids=True)
    pd.testing.assert_frame_equal(prepared.tickets, fast.tickets, check_exact=True)
    assert (prepared.n_events, prepared.first_timestamp, prepared.last_timestamp, prepared.pairing_rule) == (
        fast.n_events,
        fast.first_timestamp,
        fast.last_timestamp,
        fast.pairing_rule,
    )


def test_prepared_table_is_not_reused_for_another_section_or_a_changed_log(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(REWORK_LOG, encoding="utf-8")
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    context = RunContext(timezone="UTC", prepared_dir=prepared)
    first = load.prepared_or_loaded(_params(path), context, with_ids=True).tickets
    other = baseline.Params(events=str(path), start_step="Ticket created", end_step=END)
    assert load.prepared_or_loaded(other, context).tickets["hours"].tolist() != first["hours"].tolist()
    path.write_text(REWORK_LOG.replace("03:15:00", "03:45:00"), encoding="utf-8")
    changed = load.prepared_or_loaded(_params(path), context, with_ids=True).tickets.set_index("ticket_id")
    assert changed.loc["A", "hours"] == 3.0


def test_a_prepared_folder_that_is_gone_means_reading_the_log(tmp_path):
    """Rerunning a run's executed notebook later: its prepared_dir parameter names a deleted temporary folder."""
    path = tmp_path / "events.csv"
    path.write_text(REWORK_LOG, encoding="utf-8")
    gone = RunContext(timezone="UTC", prepared_dir=tmp_path / "deleted-after-the-run")
    log = load.prepared_or_loaded(_params(path), gone, with_ids=True)
    pd.testing.assert_frame_equal(
        log.tickets, load.load_events(_params(path), RunContext(timezone="UTC"), with_ids=True).tickets
    )
    assert not (tmp_path / "deleted-after-the-run").exists()


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("rule", ["last", "first"])
def test_picks_at_a_tied_instant_do_not_depend_on_row_order(tmp_path, rule, reverse):
    """DuckDB's arg_max takes either of two events at one instant; the tie is settled by the value (last: the
    greatest, first: the least) whichever row comes first."""
    rows = [
        "E,Evidence received,2026-10-27 08:00:00,Refund,e2",
        "E,Evidence received,2026-10-27 08:00:00,Exchange,e1",
        "E,Resolution proposed,2026-10-27 09:00:00,Rejected,e3",
        "E,Resolution proposed,2026-10-27 09:00:00,Exchange,e4",
        "F,Evidence received,2026-10-27 08:00:00,,f1",
        "F,Resolution proposed,2026-10-27 10:00:00,Refund,f2",
    ]
    path = tmp_path / "events.csv"
    path.write_text("ticket_id,step,timestamp,outcome,agent\n" + "\n".join(rows[::-1] if reverse else rows) + "\n")
    params = baseline.Params(
        events=str(path), start_step=START, end_step=END, outcome_column="outcome", agent_column="agent",
        agent_rule=rule,
    )  # fmt: skip
    tickets = load.load_events(params, RunContext(timezone="UTC"), with_ids=True).tickets.set_index("ticket_id")
    assert tickets.loc["E", "outcome"] == "Rejected"  # the last instant's greatest value
    assert tickets.loc["E", "agent"] == ("e4" if rule == "last" else "e1")
    assert tickets.loc["F", "agent"] == ("f2" if rule == "last" else "f1")  # no tie: the arg_max itself
    # same ticket, step and time: counted as repeated events, whose values still take part in the pick
    assert load.load_events(params, RunContext(timezone="UTC")).quality["duplicate_events"] == 2
