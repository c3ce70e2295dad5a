"""Weekly and daily series built from the real ServiceNow incident log (CC BY 4.0, Amaral, Fantinato, Reijers and
Peres 2018, UCI Machine Learning Repository), with plain pandas: each incident's first ``opened_at`` gives its
period, hours from then to its last ``resolved_at`` its duration; per period the incidents opened
(``tickets_started``), resolved (``tickets_completed``), still open (``tickets_open``) and the median hours over the
resolved ones. Used by tests/test_its_real_series.py and to write tests/data/its/servicenow_*.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

EXPORT = Path(__file__).resolve().parents[2] / "shared" / "real-exports" / "servicenow_incident_event_log.csv.gz"


def incidents(path: Path = EXPORT) -> pd.DataFrame:
    log = pd.read_csv(path, usecols=["number", "opened_at", "resolved_at"], na_values="?")
    for column in ("opened_at", "resolved_at"):
        log[column] = pd.to_datetime(log[column], format="%d/%m/%Y %H:%M", errors="coerce")
    out = log.groupby("number").agg(opened=("opened_at", "min"), resolved=("resolved_at", "max"))
    out = out.dropna(subset=["opened"])
    out["hours"] = (out["resolved"] - out["opened"]).dt.total_seconds() / 3600
    return out


def series(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """``period``: "week" (Monday start) or "day"."""
    key = table["opened"].dt.to_period("W-SUN").dt.start_time if period == "week" else table["opened"].dt.normalize()
    out = (
        table.assign(period=key)
        .groupby("period")
        .agg(tickets_started=("hours", "size"), tickets_completed=("hours", "count"), median_hours=("hours", "median"))
    )
    out["tickets_open"] = out["tickets_started"] - out["tickets_completed"]
    out = out.reset_index(names=period)
    out[period] = out[period].dt.strftime("%Y-%m-%d")
    out["median_hours"] = out["median_hours"].round(6)
    return out


if __name__ == "__main__":  # rewrite the committed copies
    table = incidents()
    here = Path(__file__).resolve().parent / "data" / "its"
    series(table, "week").to_csv(here / "servicenow_weekly.csv", index=False)
    series(table, "day").to_csv(here / "servicenow_daily.csv", index=False)
