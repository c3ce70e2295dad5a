"""Reading event logs: pairing, censoring, time zones, column mapping, and bad logs -> InputError."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inbound_playbook import baseline
from inbound_playbook.baseline.load import load_events, load_staffing, ticket_intervals
from inbound_playbook.errors import InputError
from inbound_playbook.params import RunContext

START, END = "Evidence received", "Resolution proposed"
HEADER = "ticket_id,step,timestamp,outcome\n"


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def params(path: Path, **extra) -> baseline.Params:
    return baseline.Params(events=str(path), start_step=START, end_step=END, **extra)


CTX = RunContext(timezone="Asia/Singapore", seed=1)

SMALL_LOG = (
    HEADER
    + "\n".join(
        [
            "T1,Ticket created,2026-05-04 08:00:00,",
            "T1,Evidence received,2026-05-04 09:00:00,",
            "T1,Resolution proposed,2026-05-04 11:30:00,",
            "T1,Closed,2026-05-05 09:00:00,Rejected",
            # T2: two start events (the first counts), an end before the start is ignored when a later one exists
            "T2,Resolution proposed,2026-05-04 09:30:00,",
            "T2,Evidence received,2026-05-04 10:00:00,",
            "T2,Evidence received,2026-05-04 12:00:00,",
            "T2,Resolution proposed,2026-05-04 14:00:00,",
            "T2,Resolution proposed,2026-05-04 20:00:00,",
            # T3: still open; censored at the log's last timestamp (2026-05-06 10:00)
            "T3,Evidence received,2026-05-05 10:00:00,",
            # T4: never reached the start step: not a ticket of this interval
            "T4,Ticket created,2026-05-06 10:00:00,",
            # T5: the end event is exactly at the start: zero hours
            "T5,Evidence received,2026-05-05 12:00:00,",
            "T5,Resolution proposed,2026-05-05 12:00:00,Partial Refund",
            "T5,Closed,2026-05-05 13:00:00,",
        ]
    )
    + "\n"
)


def test_pairing_and_censoring_against_hand_computation(tmp_path):
    """Pairing per DESIGN.md (first start, then first end at or after it), checked by hand."""
    log = load_events(params(write(tmp_path, SMALL_LOG), outcome_column="outcome"), CTX, with_ids=True)
    t = log.tickets[log.tickets["has_start"]].set_index("ticket_id")
    assert sorted(t.index) == ["T1", "T2", "T3", "T5"]
    assert t.loc["T1", "hours"] == 2.5
    assert t.loc["T2", "hours"] == 4.0  # 10:00 -> 14:00, not 12:00 -> 14:00, not the 09:30 end
    assert np.isnan(t.loc["T3", "hours"]) and not t.loc["T3", "completed"]
    assert t.loc["T3", "censor_hours"] == 24.0  # 2026-05-05 10:00 -> last event 2026-05-06 10:00
    assert t.loc["T5", "hours"] == 0.0
    assert t.loc["T1", "outcome"] == "Rejected"
    assert t.loc["T5", "outcome"] == "Partial Refund"  # the last non-blank value, not the blank Closed row
    assert "at or after it" in log.pairing_rule


def test_analyse_small_log_against_plain_pandas(tmp_path):
    """Headline numbers equal an independent plain-pandas computation on the same small log."""
    path = write(tmp_path, SMALL_LOG)
    analysis = baseline.analyse(params(path, sla_hours=3), CTX, draw=False)
    r = analysis.results
    ev = pd.read_csv(path)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    hours = []
    for _, g in ev.groupby("ticket_id"):
        starts = g.loc[g["step"] == START, "timestamp"]
        if starts.empty:
            continue
        s = starts.min()
        ends = g.loc[(g["step"] == END) & (g["timestamp"] >= s), "timestamp"]
        hours.append((ends.min() - s) / pd.Timedelta(hours=1) if len(ends) else np.nan)
    done = pd.Series(hours).dropna()
    assert (r["n_tickets"], r["n_completed"], r["n_censored"]) == (4, 3, 1)
    assert r["median"] == done.median() == 2.5
    assert r["mean"] == pytest.approx(done.mean())
    assert r["p90"] == pytest.approx(done.quantile(0.9))
    assert r["within_sla"]["within"] == 2 and r["within_sla"]["n"] == 4  # T3 open 24 h > 3 h: a miss


def test_column_mapping_with_process_mining_headers(tmp_path):
    """A log whose headers differ from ours (BPI-challenge style: Case ID, Activity, Complete Timestamp)."""
    text = SMALL_LOG.replace(HEADER, "Case ID,Activity,Complete Timestamp,Resolution\n")
    path = write(tmp_path, text)
    p = baseline.Params(
        events=str(path),
        start_step=START,
        end_step=END,
        outcome_column="Resolution",
        columns={"Case ID": "ticket_id", "Activity": "step", "Complete Timestamp": "timestamp"},
    )
    frame = ticket_intervals(p, CTX)
    assert list(frame.columns) == ["ticket_id", "start", "end", "hours", "completed", "outcome"]
    assert frame.set_index("ticket_id").loc["T1", "hours"] == 2.5
    # without the mapping: the error names our missing column and lists theirs
    with pytest.raises(InputError) as err:
        load_events(baseline.Params(events=str(path), start_step=START, end_step=END), CTX)
    assert err.value.column == "ticket_id" and "Case ID" in str(err.value) and err.value.file == str(path)


def test_ticket_intervals_contract_is_tz_aware(tmp_path):
    frame = ticket_intervals(params(write(tmp_path, SMALL_LOG)), CTX)
    assert str(frame["start"].dt.tz) == "Asia/Singapore"
    assert frame["end"].isna().sum() == 1
    row = frame.set_index("ticket_id").loc["T1"]
    assert row["start"] == pd.Timestamp("2026-05-04 09:00", tz="Asia/Singapore")
    assert row["completed"]


def test_naive_timestamps_are_local_and_offsets_are_respected(tmp_path):
    """Naive = wall time in the team's zone; '+00:00' / 'Z' values are exact instants (mixed in one file)."""
    text = (
        HEADER
        + "\n".join(
            [
                "T1,Evidence received,2026-05-04 09:00:00,",  # 01:00 UTC in Singapore
                "T1,Resolution proposed,2026-05-04T03:00:00Z,",  # 11:00 Singapore: 2 hours
                "T2,Evidence received,2026-05-04T09:00:00+08:00,",
                "T2,Resolution proposed,2026-05-04 12:00,",  # no seconds: still ISO
            ]
        )
        + "\n"
    )
    path = write(tmp_path, text)
    log = load_events(params(path), CTX, with_ids=True)
    t = log.tickets.set_index("ticket_id")
    assert t.loc["T1", "hours"] == 2.0 and t.loc["T2", "hours"] == 3.0
    # T2 read in London: its naive end moves (12:00 BST = 11:00 UTC), its start with an offset does not
    only_t2 = HEADER + "\n".join(text.splitlines()[3:]) + "\n"
    london = load_events(
        params(write(tmp_path, only_t2, "t2.csv")), RunContext(timezone="Europe/London"), with_ids=True
    )
    assert london.tickets.set_index("ticket_id").loc["T2", "hours"] == pytest.approx(3.0 + 7.0)


def test_dst_gap_in_local_time(tmp_path):
    """Across the spring-forward night in Europe/London, wall-clock 00:30 -> 03:30 is 2 real hours."""
    text = HEADER + "T1,Evidence received,2026-03-29 00:30:00,\nT1,Resolution proposed,2026-03-29 03:30:00,\n"
    log = load_events(params(write(tmp_path, text)), RunContext(timezone="Europe/London"))
    assert log.tickets["hours"].iloc[0] == 2.0


def test_parquet_naive_timestamps_are_local(tmp_path):
    table = pa.table(
        {
            "ticket_id": ["T1", "T1"],
            "step": [START, END],
            "timestamp": pa.array(np.array(["2026-05-04T09:00", "2026-05-04T11:00"], dtype="datetime64[us]")),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    frame = ticket_intervals(params(path), CTX)
    assert frame["start"].iloc[0] == pd.Timestamp("2026-05-04 09:00", tz="Asia/Singapore")
    assert frame["hours"].iloc[0] == 2.0


# ------------------------------------------------------------------------------------------------ bad logs
def _error(tmp_path, text, **extra) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        baseline.validate(params(path, **extra), CTX)
    assert err.value.file == str(path)
    return err.value


def test_missing_column(tmp_path):
    err = _error(tmp_path, "ticket_id,step,time\nT1,a,2026-01-01 00:00\n")
    assert err.column == "timestamp" and "ticket_id, step, time" in str(err)


def test_missing_optional_column(tmp_path):
    err = _error(tmp_path, SMALL_LOG, segment_column="category")
    assert err.column == "category"


def test_unparseable_timestamp_names_the_first_bad_row(tmp_path):
    text = SMALL_LOG.replace("T2,Evidence received,2026-05-04 12:00:00", "T2,Evidence received,04/05/2026 12:00")
    text = text.replace("T3,Evidence received,2026-05-05 10:00:00", "T3,Evidence received,yesterday")
    err = _error(tmp_path, text)
    assert err.column == "timestamp" and err.row == 8  # header is row 1; T2's second start is the 7th data row
    assert "04/05/2026 12:00" in str(err)


def test_blank_timestamp_under_strict(tmp_path):
    """strict: true keeps the old refusal; without it the row is left out and counted (test_real_exports.py)."""
    err = _error(tmp_path, SMALL_LOG.replace("T1,Closed,2026-05-05 09:00:00", "T1,Closed,"), strict=True)
    assert err.column == "timestamp" and err.row == 5 and "blank" in str(err)


def test_end_before_start_only_under_strict(tmp_path):
    text = HEADER + "T1,Resolution proposed,2026-05-04 08:00:00,\nT1,Evidence received,2026-05-04 09:00:00,\n"
    err = _error(tmp_path, text, strict=True)
    assert err.row == 2 and "T1" in str(err) and "only before" in str(err)


def test_unknown_step_names_are_named_with_the_steps_present(tmp_path):
    path = write(tmp_path, SMALL_LOG)
    with pytest.raises(InputError) as err:
        baseline.validate(baseline.Params(events=str(path), start_step="Evidence Received", end_step=END), CTX)
    text = str(err.value)
    assert "'Evidence Received'" in text and "'Evidence received'" in text and "'Ticket created'" in text
    assert err.value.column == "step"


def test_empty_file_and_header_only(tmp_path):
    err = _error(tmp_path, "")
    assert "empty" in str(err)
    err = _error(tmp_path, HEADER)
    assert "no data rows" in str(err) and err.row == 2


def test_duplicate_events_under_strict(tmp_path):
    err = _error(tmp_path, SMALL_LOG + "T1,Evidence received,2026-05-04 09:00:00,\n", strict=True)
    assert err.row == 16 and "repeats row 3" in str(err)


def test_semicolon_separated_file(tmp_path):
    err = _error(tmp_path, SMALL_LOG.replace(",", ";"))
    assert "semicolon" in str(err)


def test_ragged_row(tmp_path):
    err = _error(tmp_path, SMALL_LOG + "T9,Closed,2026-05-06 10:00:00,Rejected,extra\n")
    assert "number of fields" in str(err)


def test_staffing_errors(tmp_path):
    good = write(tmp_path, "week,staffed_hours\n2026-05-04,100\n2026-05-11,90.5\n", "staffing.csv")
    assert load_staffing(good, "monday")["staffed_hours"].tolist() == [100.0, 90.5]
    tuesday = write(tmp_path, "week,staffed_hours\n2026-05-04,100\n2026-05-12,90\n", "staffing.csv")
    with pytest.raises(InputError) as err:
        load_staffing(tuesday, "monday")
    assert err.value.row == 3 and "Tuesday" in str(err.value)
    bad = write(tmp_path, "week,staffed_hours\n2026-05-04,lots\n", "staffing.csv")
    with pytest.raises(InputError) as err:
        load_staffing(bad, "monday")
    assert err.value.column == "staffed_hours" and err.value.row == 2


def test_business_hours_in_results(tmp_path):
    text = HEADER + "T1,Evidence received,2026-05-08 17:00:00,\nT1,Resolution proposed,2026-05-11 10:00:00,\n"
    p = params(
        write(tmp_path, text),
        business_hours={"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"},
    )
    r = baseline.analyse(p, CTX, draw=False).results
    assert r["median"] == 65.0 and r["business_hours"]["median"] == 2.0


def test_excel_style_csv_bom_crlf_and_quoted_commas(tmp_path):
    """'CSV UTF-8' from Excel: byte-order mark, CRLF line ends, a quoted value containing a comma."""
    text = SMALL_LOG.replace(
        "T1,Closed,2026-05-05 09:00:00,Rejected", 'T1,Closed,2026-05-05 09:00:00,"Rejected, fraud"'
    )
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    frame = ticket_intervals(params(path, outcome_column="outcome"), CTX)
    row = frame.set_index("ticket_id").loc["T1"]
    assert row["hours"] == 2.5 and row["outcome"] == "Rejected, fraud"


def test_duckdb_uses_half_the_memory_and_spills_to_the_system_temp_folder():
    import os
    import tempfile

    from inbound_playbook.baseline import load

    con = load.connect("UTC")
    try:
        limit, spill = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    finally:
        con.close()
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    number, unit = limit.split()
    scale = {"MiB": 2**20, "GiB": 2**30, "MB": 10**6, "GB": 10**9}[unit]
    assert abs(float(number) * scale - physical / 2) < 0.02 * physical
    assert Path(spill).parent == Path(tempfile.gettempdir()) and not Path(spill).exists()
