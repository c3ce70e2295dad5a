"""Time to first response (``first_response_step``): the share first responded to within the target and the median,
on a hand-built log whose numbers are computed by hand below, on both data paths (the file's DuckDB SQL and the
Ibis reduction of an engine input), and on the sample team.

The hand-built log (UTC, the log ends at 2026-05-10 00:00, T2's 'Resolved'):

====  =================  ========================================================  ==========================
id    Created            first 'Replied' (or 'Public reply') at or after Created   hours to first response
====  =================  ========================================================  ==========================
T1    05-01 00:00        05-01 02:00                                               2
T2    05-01 00:00        05-01 10:00                                               10
T3    05-01 00:00        05-02 06:00                                               30
T4    05-08 00:00        none                                                      waiting, 48 h old: a miss
T5    05-09 19:00        none                                                      waiting, 5 h old: left out
T6    05-01 00:00        a 'Replied' on 04-30 only (before Created)                left out, counted
T7    none               ('Assigned' and 'Replied' only)                           no start: left out, counted
T8    05-01 00:00        04-30 (before) and 05-01 20:00: the one after counts      20
T9    05-01 00:00        'Public reply' 05-01 03:00, 'Replied' 05-02 16:00         40 ('Replied'), 3 (either)
====  =================  ========================================================  ==========================

With ``first_response_step: Replied`` and the target 24 h: responded 2, 10, 30, 20, 40; waiting T4 (48 h) and T5
(5 h). Within: 2, 10, 20 -> 3; decided: 5 responded + T4 -> 6; share 3/6 = 0.5 and its Wilson interval
(0.5 + z^2/12 +- z sqrt(0.25/6 + z^2/144)) / (1 + z^2/6), z = 1.959964 -> (0.18761, 0.81239), as R's
``prop.test(3, 6, correct = FALSE)``. Kaplan-Meier over the 7 tickets (T4, T5 censored at 48 h and 5 h): S = 6/7
after 2 h; 6/7 * 4/5 = 0.686 after 10 h (the 5 h censoring leaves 5 at risk); * 3/4 = 0.514 after 20 h; * 2/3 =
0.343 after 30 h: median 30 h. Responded-only median of 2, 10, 20, 30, 40: 20 h.

With ``first_response_step: [Replied, Public reply]`` T9 is 3 h: within 4 of 6 (2/3); Kaplan-Meier 6/7 after 2 h,
* 5/6 = 0.714 after 3 h, * 3/4 = 0.536 after 10 h, * 2/3 = 0.357 after 20 h: median 20 h; responded median of 2,
3, 10, 20, 30: 10 h.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from inbound_playbook import engines
from inbound_playbook.baseline import analysis, load, stats
from inbound_playbook.baseline.params import BaselineParams
from inbound_playbook.config import load_config
from inbound_playbook.errors import InputError
from inbound_playbook.params import RunContext

EVENTS = [
    ("T1", "Created", "2026-05-01 00:00:00"),
    ("T1", "Assigned", "2026-05-01 01:00:00"),
    ("T1", "Replied", "2026-05-01 02:00:00"),
    ("T1", "Resolved", "2026-05-02 00:00:00"),
    ("T2", "Created", "2026-05-01 00:00:00"),
    ("T2", "Assigned", "2026-05-01 01:00:00"),
    ("T2", "Replied", "2026-05-01 10:00:00"),
    ("T2", "Replied", "2026-05-03 10:00:00"),  # a later reply: only the first counts
    ("T2", "Resolved", "2026-05-10 00:00:00"),
    ("T3", "Created", "2026-05-01 00:00:00"),
    ("T3", "Assigned", "2026-05-01 01:00:00"),
    ("T3", "Replied", "2026-05-02 06:00:00"),
    ("T3", "Resolved", "2026-05-03 00:00:00"),
    ("T4", "Created", "2026-05-08 00:00:00"),
    ("T4", "Assigned", "2026-05-08 01:00:00"),
    ("T5", "Created", "2026-05-09 19:00:00"),
    ("T5", "Assigned", "2026-05-09 20:00:00"),
    ("T6", "Replied", "2026-04-30 00:00:00"),
    ("T6", "Created", "2026-05-01 00:00:00"),
    ("T6", "Assigned", "2026-05-01 01:00:00"),
    ("T7", "Assigned", "2026-05-03 00:00:00"),
    ("T7", "Replied", "2026-05-03 05:00:00"),
    ("T8", "Replied", "2026-04-30 12:00:00"),
    ("T8", "Created", "2026-05-01 00:00:00"),
    ("T8", "Assigned", "2026-05-01 01:00:00"),
    ("T8", "Replied", "2026-05-01 20:00:00"),
    ("T9", "Created", "2026-05-01 00:00:00"),
    ("T9", "Assigned", "2026-05-01 01:00:00"),
    ("T9", "Public reply", "2026-05-01 03:00:00"),
    ("T9", "Replied", "2026-05-02 16:00:00"),
]
WILSON_3_OF_6 = (0.18761, 0.81239)  # R: prop.test(3, 6, correct = FALSE)$conf.int


def _frame() -> pd.DataFrame:
    return pd.DataFrame(EVENTS, columns=["ticket_id", "step", "timestamp"])


def _params(path, **options) -> BaselineParams:
    settings = {
        "events": str(path),
        "start_step": "Assigned",
        "end_step": "Resolved",
        "workflow_start_step": "Created",
        "workflow_end_step": "Resolved",
        "first_response_step": "Replied",
        "bootstrap_resamples": 200,
    }
    return BaselineParams(**(settings | options))


@pytest.fixture
def log_csv(tmp_path):
    path = tmp_path / "events.csv"
    _frame().to_csv(path, index=False)
    return path


def _result(params: BaselineParams, log=None) -> dict:
    context = RunContext(timezone="UTC", seed=7)
    return analysis.compute(params, context, log).results["first_response"]


def test_hand_computed_share_and_median(log_csv):
    fr = _result(_params(log_csv))
    assert fr["start_step"] == "Created" and fr["response_step"] == "Replied" and fr["target_hours"] == 24
    assert (fr["n_tickets"], fr["n_responded"], fr["n_waiting"]) == (7, 5, 2)
    assert (fr["within"], fr["n_decided"], fr["undetermined"], fr["missed_waiting"]) == (3, 6, 1, 1)
    assert fr["share"] == 0.5
    assert fr["ci"] == pytest.approx(WILSON_3_OF_6, abs=1e-5)
    assert fr["median"] == 30.0  # Kaplan-Meier, T4 and T5 censored
    assert fr["responded_median"] == 20.0
    assert fr["left_out"] == {"no_start_step": 1, "response_before_start": 1}  # T7, T6


def test_a_list_of_response_steps_takes_the_first_of_any(log_csv):
    fr = _result(_params(log_csv, first_response_step=["Replied", "Public reply"]))
    assert (fr["within"], fr["n_decided"]) == (4, 6)
    assert fr["share"] == pytest.approx(2 / 3)
    assert fr["median"] == 20.0 and fr["responded_median"] == 10.0


def test_censoring_at_the_target_edge():
    """A waiting ticket exactly as old as the target may still be answered in time: left out, not a miss; one
    older is a miss; one answered exactly at the target is within."""
    fr = stats.first_response(np.array([24.0, np.nan, np.nan]), np.array([0.0, 24.0, 24.5]), 24, seed=1, resamples=200)
    assert (fr.within, fr.n_decided, fr.undetermined, fr.missed_waiting) == (1, 2, 1, 1)
    none_yet = stats.first_response(np.array([np.nan, np.nan]), np.array([1.0, 2.0]), 24, seed=1, resamples=200)
    assert none_yet.share is None and none_yet.ci is None and none_yet.median is None and none_yet.undetermined == 2


def test_the_median_and_interval_agree_with_lifelines():
    """The Kaplan-Meier median and its interval are lifelines' ``median_survival_time_`` and
    ``median_survival_times(confidence_interval_)`` on the same censored times (Davidson-Pilon 2019)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    rng = np.random.default_rng(3)
    times = rng.lognormal(np.log(12), 0.9, 400)
    ages = rng.uniform(0, 60, 400)
    waiting = ages < times
    hours = np.where(waiting, np.nan, times)
    censor = np.where(waiting, ages, np.nan)
    fr = stats.first_response(hours, censor, 24, seed=1, resamples=200)
    fitter = KaplanMeierFitter().fit(np.where(waiting, ages, times), ~waiting)
    assert fr.median == pytest.approx(fitter.median_survival_time_)
    low, high = median_survival_times(fitter.confidence_interval_).iloc[0]
    assert fr.median_ci == pytest.approx((low, high))
    decided = ~waiting | (ages > 24)
    assert fr.share == pytest.approx((~waiting & (times <= 24)).sum() / decided.sum())


def test_without_a_workflow_it_runs_from_the_start_step(log_csv):
    """No workflow: from 'Assigned' (an hour after 'Created'). T7 now counts (5 h); T5 waits 4 h (left out), T4 47 h
    (a miss); responded 1, 9, 29, 19, 39, 5: within 1, 9, 19, 5 -> 4 of 7 decided."""
    fr = _result(_params(log_csv, workflow_start_step=None, workflow_end_step=None))
    assert fr["start_step"] == "Assigned"
    assert (fr["n_tickets"], fr["n_responded"], fr["within"], fr["n_decided"]) == (8, 6, 4, 7)
    assert fr["responded_median"] == pytest.approx((9 + 19) / 2)
    assert fr["left_out"]["response_before_start"] == 1


def test_the_file_path_and_the_engine_path_agree(log_csv, tmp_path):
    """The one reduction fed three ways gives the same per-ticket columns and the same first-response block: the CSV
    read as a file (with its row numbers), the same CSV as an engine input (``{url: "duckdb://", path: ...}``, whose
    per-ticket rows go through the kept tickets file and are read back), and a data frame through ``load_table``;
    the hours are also checked against the hand-computed ones."""
    import ibis

    params = _params(log_csv, first_response_step=["Replied", "Public reply"])
    file_log = load.load_events(params, RunContext(timezone="UTC"), with_ids=True)
    opened = engines.open_input({"url": "duckdb://", "path": str(log_csv)})
    target = tmp_path / f"events{load.ENGINE_TICKETS_SUFFIX}"
    load.reduce_in_engine(params, "UTC", opened, target, "baseline.events")
    engine_params = params.model_copy(update={"events": str(target)})
    engine_log = load.load_events(engine_params, RunContext(timezone="UTC"), with_ids=True)
    frame_log = load.load_table(ibis.memtable(_frame()), params, "UTC", with_ids=True)
    columns = [
        "ticket_id",
        "first_response_start_us",
        "first_response_start_date",
        "first_response_hours",
        "first_response_before_start",
    ]
    for other in (engine_log, frame_log):
        pd.testing.assert_frame_equal(other.tickets[columns], file_log.tickets[columns], check_dtype=False)
    hours = dict(zip(file_log.tickets["ticket_id"], file_log.tickets["first_response_hours"], strict=True))
    assert [hours[t] for t in ("T1", "T2", "T3", "T8", "T9")] == [2.0, 10.0, 30.0, 20.0, 3.0]
    expected = _result(params, file_log)
    assert _result(engine_params, engine_log) == expected
    assert _result(params, frame_log) == expected


def test_an_unknown_response_step_is_refused_on_both_paths(log_csv):
    import ibis

    params = _params(log_csv, first_response_step="First reply")
    with pytest.raises(InputError, match="First reply"):
        load.load_events(params, RunContext(timezone="UTC"))
    with pytest.raises(InputError, match="first_response_step"):
        load.load_table(ibis.memtable(_frame()), params, "UTC")


def test_the_response_step_cannot_be_its_own_start(log_csv):
    with pytest.raises(ValueError, match="always be zero"):
        _params(log_csv, first_response_step=["Created", "Replied"])


def test_weekly_columns(log_csv):
    """By the week of 'Created' (weeks start Monday): 27 Apr holds T1, T2, T3, T8, T9 (all responded: 2, 10, 20
    within; median 20); 4 May holds T4 (a miss) and T5 (left out): share 0 of 1."""
    result = analysis.compute(_params(log_csv), RunContext(timezone="UTC", seed=7))
    weekly = result.weekly.set_index("week")
    assert weekly.loc["2026-04-27", "first_response_tickets"] == 5
    assert weekly.loc["2026-04-27", "first_response_share"] == pytest.approx(3 / 5)
    assert weekly.loc["2026-04-27", "first_response_median_hours"] == 20.0
    assert (weekly.loc["2026-05-04", "first_response_n"], weekly.loc["2026-05-04", "first_response_share"]) == (1, 0.0)


def test_sample_team_reports_both_metrics_from_one_run(repo):
    """One baseline run of the sample team reports resolution time (the whole workflow, 'Ticket created' to
    'Closed') and first response within 24 hours ('Ticket created' to 'Evidence requested'). The reference for the
    share is plain pandas on events.parquet; the planted model (TRUTH.json: queue median 1 h + 36 h per ticket per
    staffed hour, then 1.5 h to the request) puts the median time to first response between the queue medians of
    the first and last weeks plus 1.5 h."""
    config = load_config(repo / "data" / "sample-team" / "team.yml")
    params = config.baseline.model_copy(update={"bootstrap_resamples": 200})
    results = analysis.compute(params, config.context()).results
    fr = results["first_response"]
    assert "workflow" in results and results["workflow"]["end_step"] == "Closed"
    assert fr["start_step"] == "Ticket created" and fr["response_step"] == "Evidence requested"

    events = pd.read_parquet(repo / "data" / "sample-team" / "events.parquet")
    wide = events.pivot_table(index="ticket_id", columns="step", values="timestamp", aggfunc="min")
    created, requested = wide["Ticket created"], wide["Evidence requested"]
    hours = (requested - created).dt.total_seconds() / 3600
    age = (events["timestamp"].max() - created).dt.total_seconds() / 3600
    within = (hours <= 24).sum()
    decided = hours.notna().sum() + (hours.isna() & (age > 24)).sum()
    assert (fr["within"], fr["n_decided"]) == (within, decided)
    assert fr["share"] == pytest.approx(within / decided)
    assert fr["n_tickets"] == created.notna().sum() and fr["left_out"]["response_before_start"] == 0

    truth = json.loads((repo / "data" / "sample-team" / "TRUTH.json").read_text())
    queue = [week["queue_median_hours"] for week in truth["weekly"]]
    assert min(queue) + 1.0 < fr["median"] < max(queue) + 2.0
    # pinned: 20,747 of 30,200 decided tickets (68.7%); 29 waiting under 24 h left out, 23 over it missed
    assert (fr["within"], fr["n_decided"], fr["undetermined"], fr["missed_waiting"]) == (20747, 30200, 29, 23)
    assert fr["median"] == pytest.approx(16.7117, abs=1e-4)
    # the queue grows with load and the tool does not touch it: the share falls after the change
    before, after = fr["compare_at"]["pre"], fr["compare_at"]["post"]
    assert before["share"] - after["share"] > 0.1 and before["ci"][0] > after["ci"][1]


def test_the_report_speaks_of_this_log(log_csv):
    """The report's first-response section and its line at a glance name this config's steps and this log's counts
    (the hand computation above); without first_response_step the section says how to set it."""
    from inbound_playbook.baseline import report_text

    params = _params(log_csv)
    context = RunContext(team="hand-built", title="Hand-built log", timezone="UTC", seed=7)
    results = analysis.compute(params, context).results
    section = report_text.first_response(params, results)
    assert "from its first 'Created' event to the first 'Replied' event" in section
    assert "50.0% of 6 tickets (95% interval 18.8% to 81.2%, Wilson)" in section
    assert "1 tickets still waiting after more than 24 hours count as not within" in section
    assert "Median time to first response:** 30.0 hours" in section
    assert "1 tickets have no 'Created' event" in section and "1 tickets have 'Replied' events only before" in section
    glance = report_text.at_a_glance(params, context, results)
    assert "First response ('Replied') within 24 hours of 'Created': 50.0% of 6 tickets" in glance
    bare = _params(log_csv, first_response_step=None)
    assert "first_response_step" in report_text.first_response(bare, analysis.compute(bare, context).results)
