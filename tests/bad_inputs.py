"""The bad-input case table used by tests/test_bad_inputs.py.

Each case starts from a small copy of the sample team (``build_team``: the first 300 tickets of the event log written
as CSV, the staffing and survey files, a weekly series derived from the whole log, and the sample config with all
four analyses) and changes one thing. The expected message names the file, the column and the row where they apply,
plus a distinctive fragment of the problem.
"""

from __future__ import annotations

import io as _io
import random
import re
import shutil
import string
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
SAMPLE_TEAM = REPO / "data" / "sample-team"
N_TICKETS = 300


# -- the base team ---------------------------------------------------------------------------------------------------
def weekly_series(events: pd.DataFrame, staffing: pd.DataFrame) -> pd.DataFrame:
    """Weekly median hours from 'Evidence received' to the first 'Resolution proposed' after it (plain pandas, so
    the ITS cases do not depend on the baseline analysis), joined to the staffing table."""
    start = events[events["step"] == "Evidence received"].groupby("ticket_id")["timestamp"].min()
    end = events[events["step"] == "Resolution proposed"].groupby("ticket_id")["timestamp"].min()
    pairs = pd.concat([start.rename("s"), end.rename("e")], axis=1).dropna()
    pairs = pairs[pairs["e"] >= pairs["s"]]
    pairs["hours"] = (pairs["e"] - pairs["s"]).dt.total_seconds() / 3600
    monday = pairs["s"].dt.normalize() - pd.to_timedelta(pairs["s"].dt.dayofweek, unit="D")
    pairs["week"] = monday.dt.strftime("%Y-%m-%d")
    weekly = pairs.groupby("week").agg(median_hours=("hours", "median"), tickets_started=("hours", "size"))
    weekly = weekly.reset_index()
    weekly["median_hours"] = weekly["median_hours"].round(3)
    return weekly.merge(staffing, on="week")


def build_team(target: Path) -> Path:
    """A small, valid team folder (validates in a fraction of a second)."""
    target.mkdir(parents=True)
    events = pd.read_parquet(SAMPLE_TEAM / "events.parquet")
    first = events["ticket_id"].drop_duplicates().iloc[:N_TICKETS]
    small = events[events["ticket_id"].isin(first)].copy()
    small["timestamp"] = small["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    small.to_csv(target / "events.csv", index=False)
    staffing = pd.read_csv(SAMPLE_TEAM / "staffing.csv", dtype={"week": str})
    weekly_series(events, staffing).to_csv(target / "weekly.csv", index=False)
    shutil.copy2(SAMPLE_TEAM / "staffing.csv", target / "staffing.csv")
    shutil.copy2(SAMPLE_TEAM / "survey.csv", target / "survey.csv")
    config = yaml.safe_load((SAMPLE_TEAM / "team.yml").read_text(encoding="utf-8"))
    config["baseline"]["events"] = "events.csv"
    config["its"]["series"] = "weekly.csv"
    config["feasibility"]["bootstrap_resamples"] = 200
    (target / "team.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target / "team.yml"


# -- mutation helpers ------------------------------------------------------------------------------------------------
def read_csv(team: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(team / name, dtype=str, keep_default_na=False)


def write_csv(team: Path, name: str, frame: pd.DataFrame, **kwargs) -> None:
    frame.to_csv(team / name, index=False, **kwargs)


def edit_csv(name: str, change: Callable[[pd.DataFrame], pd.DataFrame | None], **to_csv) -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        frame = read_csv(team, name)
        changed = change(frame)
        write_csv(team, name, frame if changed is None else changed, **to_csv)

    return mutate


def set_cell(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell; ``row`` is the spreadsheet row (header = row 1)."""

    def change(frame: pd.DataFrame) -> None:
        frame.loc[row - 2, column] = value

    return edit_csv(name, change)


def edit_line(name: str, row: int, change: Callable[[str], str]) -> Callable[[Path], None]:
    """Change the raw text of one line (``row`` as in a spreadsheet: the header is row 1)."""

    def mutate(team: Path) -> None:
        lines = (team / name).read_text(encoding="utf-8").split("\n")
        lines[row - 1] = change(lines[row - 1])
        (team / name).write_text("\n".join(lines), encoding="utf-8")

    return mutate


def edit_config(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        path = team / "team.yml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(config)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    return mutate


def set_key(dotted: str, value) -> Callable[[Path], None]:
    def change(config: dict) -> None:
        *parents, last = dotted.split(".")
        node = config
        for part in parents:
            node = node[part]
        node[last] = value

    return edit_config(change)


def drop_key(dotted: str) -> Callable[[Path], None]:
    def change(config: dict) -> None:
        *parents, last = dotted.split(".")
        node = config
        for part in parents:
            node = node[part]
        del node[last]

    return edit_config(change)


def rename_key(dotted: str, new: str) -> Callable[[Path], None]:
    def change(config: dict) -> None:
        *parents, last = dotted.split(".")
        node = config
        for part in parents:
            node = node[part]
        node[new] = node.pop(last)

    return edit_config(change)


def write_text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        (team / name).write_bytes(text.encode(encoding))

    return mutate


def write_bytes(name: str, make: Callable[[Path], bytes]) -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        (team / name).write_bytes(make(team))

    return mutate


def reencode(name: str, encoding: str, change: Callable[[str], str] = lambda text: text) -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        text = (team / name).read_text(encoding="utf-8")
        (team / name).write_bytes(change(text).encode(encoding))

    return mutate


def zipped(name: str) -> Callable[[Path], bytes]:
    """The file compressed into a zip archive (what a 'download as zip' gives), to be saved under the .csv name."""

    def make(team: Path) -> bytes:
        buffer = _io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, (team / name).read_bytes())
        return buffer.getvalue()

    return make


def xlsx_bytes(team: Path) -> bytes:
    """A minimal Office Open XML workbook (an .xlsx is a zip of XML parts), to be saved under a .csv name."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row r="1"><c t="'
        'inlineStr"><is><t>week</t></is></c></row></sheetData></worksheet>',
    }
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return buffer.getvalue()


def one_huge_line(megabytes: float = 5, seed: int = 9) -> Callable[[Path], bytes]:
    """Garbage text without a single line break (a mangled export), ``megabytes`` long."""

    def make(team: Path) -> bytes:
        rng = random.Random(seed)
        alphabet = (string.ascii_letters + string.digits + " ").encode()
        chunk = bytes(rng.choice(alphabet) for _ in range(4096))
        return (chunk * int(megabytes * 1024 * 1024 / 4096 + 1))[: int(megabytes * 1024 * 1024)]

    return make


def garbage_rows(header: str, n_rows: int, n_fields: int, seed: int = 7) -> Callable[[Path], bytes]:
    """A correct header and ``n_rows`` rows of random letters with the right number of fields."""

    def make(team: Path) -> bytes:
        rng = random.Random(seed)
        words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(997)]
        lines = [header]
        k = 0
        for i in range(n_rows):
            lines.append(",".join(words[(k + j * 31) % 997] + str(i) for j in range(n_fields)))
            k += 7
        return ("\n".join(lines) + "\n").encode()

    return make


def events_parquet(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    """Replace events.csv by a Parquet file (changed by ``change``) and point the config at it."""

    def mutate(team: Path) -> None:
        frame = pd.read_csv(team / "events.csv", dtype=str, keep_default_na=False)
        change(frame).to_parquet(team / "events.parquet", index=False)
        (team / "events.csv").unlink()
        set_key("baseline.events", "events.parquet")(team)

    return mutate


def truncated_parquet(team: Path) -> None:
    frame = pd.read_csv(team / "events.csv", dtype=str, keep_default_na=False)
    frame.to_parquet(team / "events.parquet", index=False)
    data = (team / "events.parquet").read_bytes()
    (team / "events.parquet").write_bytes(data[: len(data) // 2])
    (team / "events.csv").unlink()
    set_key("baseline.events", "events.parquet")(team)


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(team: Path) -> None:
        for step in mutations:
            step(team)

    return mutate


def strict(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    """The mutations, with ``strict: true`` in the baseline section: what is otherwise left out and counted
    (repeated events, blank timestamps, end steps only before the start, unused duplicated headers) is refused."""

    def mutate(team: Path) -> None:
        for change in (*mutations, set_key("baseline.strict", True)):
            change(team)

    return mutate


def duplicate_header(column: str, copy_of: str) -> Callable[[Path], None]:
    """Rename ``column`` to ``copy_of``, so two columns share that header."""

    def mutate(team: Path) -> None:
        lines = (team / "events.csv").read_text(encoding="utf-8").split("\n")
        header = lines[0].split(",")
        header[header.index(column)] = copy_of
        lines[0] = ",".join(header)
        (team / "events.csv").write_text("\n".join(lines), encoding="utf-8")

    return mutate


# -- event-log mutations that need the data ---------------------------------------------------------------------------
def _row_of(frame: pd.DataFrame, ticket: str, step: str) -> int:
    return int(frame.index[(frame["ticket_id"] == ticket) & (frame["step"] == step)][0])


def swap_start_and_end(team: Path) -> None:
    """Ticket DSP-000001: its 'Resolution proposed' comes before its 'Evidence received' (end before start only)."""
    frame = read_csv(team, "events.csv")
    s, e = _row_of(frame, "DSP-000001", "Evidence received"), _row_of(frame, "DSP-000001", "Resolution proposed")
    frame.loc[s, "timestamp"], frame.loc[e, "timestamp"] = frame.loc[e, "timestamp"], frame.loc[s, "timestamp"]
    write_csv(team, "events.csv", frame)


def utc_label_on_start(team: Path) -> None:
    """Mixed time zones: one start event's local wall time labelled '-12:00', which moves it after its end."""
    frame = read_csv(team, "events.csv")
    s = _row_of(frame, "DSP-000001", "Evidence received")
    frame.loc[s, "timestamp"] = frame.loc[s, "timestamp"] + "-12:00"
    write_csv(team, "events.csv", frame)


def duplicate_row(name: str, row: int) -> Callable[[Path], None]:
    """Repeat the spreadsheet row ``row`` right after itself (so the copy is row ``row + 1``)."""

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        i = row - 2
        return pd.concat([frame.iloc[: i + 1], frame.iloc[[i]], frame.iloc[i + 1 :]], ignore_index=True)

    return edit_csv(name, change)


# -- the cases --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    analysis: str  # config | baseline | survey | its | feasibility
    mutate: Callable[[Path], None]
    file: str  # the file the message must name (a name inside the team folder, or "out")
    problem: str  # a distinctive fragment of the message
    column: str | None = None
    row: int | None = None
    commands: tuple[str, ...] = ("validate", "run")
    existing_out: bool = False


EVENTS_HEADER = "ticket_id,step,timestamp,agent_id,category,outcome"
# The first 300 tickets: ticket DSP-000001's six events are rows 2-7.

CASES: list[Case] = [
    # -- the config ----------------------------------------------------------------------------------------------
    Case(
        "config-unknown-top-level-key", "config", rename_key("timezone", "timezon"), "team.yml", "unknown key 'timezon'"
    ),
    Case(
        "config-unknown-section-key",
        "config",
        rename_key("baseline.start_step", "start_stp"),
        "team.yml",
        "unknown key 'baseline.start_stp'",
    ),
    Case(
        "config-unsafe-yaml-python-object",
        "config",
        write_text("team.yml", "team: !!python/object/apply:os.system ['touch pwned']\n"),
        "team.yml",
        "not valid YAML",
    ),
    Case("config-slug-escapes-with-dotdot", "config", set_key("team", "../.."), "team.yml", "is not a team slug"),
    Case("config-slug-absolute-path", "config", set_key("team", "/etc"), "team.yml", "is not a team slug"),
    Case("config-slug-with-slash", "config", set_key("team", "a/../../b"), "team.yml", "is not a team slug"),
    Case(
        "config-unknown-time-zone",
        "config",
        set_key("timezone", "Mars/Olympus_Mons"),
        "team.yml",
        "is not an IANA time zone",
    ),
    Case("config-empty-file", "config", write_text("team.yml", ""), "team.yml", "the config file is empty"),
    Case(
        "config-a-list-not-a-mapping",
        "config",
        write_text("team.yml", "- team: a\n- team: b\n"),
        "team.yml",
        "must be a mapping",
    ),
    Case(
        "config-broken-indentation",
        "config",
        write_text("team.yml", "team: a\n  title: [unclosed\n"),
        "team.yml",
        "not valid YAML",
    ),
    Case("config-utf16", "config", reencode("team.yml", "utf-16"), "team.yml", "not UTF-8"),
    Case("config-zip-renamed", "config", write_bytes("team.yml", zipped("team.yml")), "team.yml", "not UTF-8"),
    Case(
        "config-required-key-missing",
        "config",
        drop_key("baseline.start_step"),
        "team.yml",
        "'baseline.start_step' is required",
    ),
    Case(
        "config-no-analysis-section",
        "config",
        edit_config(lambda c: [c.pop(k) for k in ("baseline", "survey", "its", "feasibility")]),
        "team.yml",
        "no analysis section",
    ),
    Case("config-negative-seed", "config", set_key("seed", -1), "team.yml", "'seed'"),
    Case(
        "config-out-is-an-existing-folder",
        "config",
        lambda team: None,
        "out",
        "output folder already exists",
        commands=("run",),
        existing_out=True,
    ),
    # -- baseline: event log -------------------------------------------------------------------------------------
    Case("events-file-missing", "baseline", lambda team: (team / "events.csv").unlink(), "events.csv", "no such file"),
    Case(
        "events-missing-timestamp-column",
        "baseline",
        edit_csv("events.csv", lambda f: f.drop(columns="timestamp")),
        "events.csv",
        "has no column 'timestamp'",
        column="timestamp",
    ),
    Case(
        "events-misnamed-column",
        "baseline",
        edit_csv("events.csv", lambda f: f.rename(columns={"ticket_id": "Case ID"})),
        "events.csv",
        "has no column 'ticket_id'",
        column="ticket_id",
    ),
    Case(
        "events-mapped-header-absent",
        "baseline",
        set_key("baseline.columns", {"Case ID": "ticket_id"}),
        "events.csv",
        "has no column 'Case ID'",
        column="Case ID",
    ),
    Case(
        "events-day-first-date",
        "baseline",
        set_cell("events.csv", 40, "timestamp", "04/05/2025 10:00"),
        "events.csv",
        "'04/05/2025 10:00' is not a timestamp",
        column="timestamp",
        row=40,
    ),
    Case(
        "events-impossible-date",
        "baseline",
        set_cell("events.csv", 9, "timestamp", "2025-02-30 10:00:00"),
        "events.csv",
        "is not a timestamp",
        column="timestamp",
        row=9,
    ),
    Case(
        "events-zone-abbreviation",
        "baseline",
        set_cell("events.csv", 12, "timestamp", "2025-05-19 10:00:00 SGT"),
        "events.csv",
        "is not a timestamp",
        column="timestamp",
        row=12,
    ),
    Case(
        "events-mixed-zones-reorder-a-ticket",
        "baseline",
        strict(utc_label_on_start),
        "events.csv",
        "only before its first 'Evidence received'",
        column="timestamp",
        row=6,
    ),
    Case(
        "events-end-before-start-only",
        "baseline",
        strict(swap_start_and_end),
        "events.csv",
        "only before its first 'Evidence received'",
        column="timestamp",
        row=6,
    ),
    Case(
        "events-blank-timestamp",
        "baseline",
        strict(set_cell("events.csv", 15, "timestamp", "")),
        "events.csv",
        "the timestamp is blank",
        column="timestamp",
        row=15,
    ),
    Case(
        "events-blank-ticket-id",
        "baseline",
        set_cell("events.csv", 21, "ticket_id", ""),
        "events.csv",
        "the ticket id is blank",
        column="ticket_id",
        row=21,
    ),
    Case(
        "events-duplicate-row",
        "baseline",
        strict(duplicate_row("events.csv", 30)),
        "events.csv",
        "this event repeats row 30",
        column="ticket_id",
        row=31,
    ),
    Case(
        "events-used-column-header-repeated",
        "baseline",
        duplicate_header("category", "agent_id"),
        "events.csv",
        "two columns have the same header",
        column="agent_id",
        row=1,
    ),
    Case(
        "events-unused-header-repeated-under-strict",
        "baseline",
        strict(
            set_key("baseline.segment_column", None),
            duplicate_header("category", "outcome"),
            set_key("baseline.outcome_column", None),
        ),
        "events.csv",
        "two columns have the same header",
        column="outcome",
        row=1,
    ),
    Case(
        "events-day-first-dates-named-with-a-format",
        "baseline",
        set_cell("events.csv", 40, "timestamp", "29/05/2025 10:00"),
        "events.csv",
        "'29/05/2025 10:00' is not a timestamp",
        column="timestamp",
        row=40,
    ),
    Case(
        "events-start-step-renamed",
        "baseline",
        set_key("baseline.start_step", "Evidence Received"),
        "events.csv",
        "no event has the step 'Evidence Received'",
        column="step",
    ),
    Case(
        "events-first-response-step-unknown",
        "baseline",
        set_key("baseline.first_response_step", "First reply"),
        "events.csv",
        "no event has the step 'First reply'",
        column="step",
    ),
    Case(
        "events-unquoted-comma",
        "baseline",
        edit_line(
            "events.csv", 25, lambda line: ",".join([*line.split(",")[:4], "Damaged, item", *line.split(",")[5:]])
        ),
        "events.csv",
        "different number of fields",
        row=25,
    ),
    Case(
        "events-extra-field",
        "baseline",
        edit_line("events.csv", 33, lambda line: line + ",Escalated"),
        "events.csv",
        "different number of fields",
        row=33,
    ),
    Case(
        "events-semicolon-separated",
        "baseline",
        edit_csv("events.csv", lambda f: None, sep=";"),
        "events.csv",
        "semicolon-separated",
        row=1,
    ),
    Case(
        "events-tab-separated",
        "baseline",
        edit_csv("events.csv", lambda f: None, sep="\t"),
        "events.csv",
        "tab-separated",
        row=1,
    ),
    Case(
        "events-latin1",
        "baseline",
        both(set_cell("events.csv", 50, "category", "Article endommagé"), reencode("events.csv", "latin-1")),
        "events.csv",
        "not UTF-8",
        row=50,
    ),
    Case("events-utf16", "baseline", reencode("events.csv", "utf-16"), "events.csv", "UTF-16", row=1),
    Case(
        "events-zip-renamed-csv",
        "baseline",
        write_bytes("events.csv", zipped("events.csv")),
        "events.csv",
        "the file is binary",
    ),
    Case(
        "events-xlsx-renamed-csv", "baseline", write_bytes("events.csv", xlsx_bytes), "events.csv", "the file is binary"
    ),
    Case("events-empty-file", "baseline", write_text("events.csv", ""), "events.csv", "the file is empty"),
    Case(
        "events-header-only",
        "baseline",
        write_text("events.csv", EVENTS_HEADER + "\n"),
        "events.csv",
        "header but no data rows",
        row=2,
    ),
    Case(
        "events-5mb-single-line",
        "baseline",
        write_bytes("events.csv", one_huge_line()),
        "events.csv",
        "no line break",
        row=1,
    ),
    Case(
        "events-300k-garbage-rows",
        "baseline",
        write_bytes("events.csv", garbage_rows(EVENTS_HEADER, 300_000, 6)),
        "events.csv",
        "is not a timestamp",
        column="timestamp",
        row=2,
    ),
    Case("events-parquet-truncated", "baseline", truncated_parquet, "events.parquet", "cannot read this Parquet file"),
    Case(
        "events-parquet-timestamp-is-a-number",
        "baseline",
        events_parquet(lambda f: f.assign(timestamp=range(len(f)))),
        "events.parquet",
        "the timestamp column has type BIGINT",
        column="timestamp",
    ),
    Case(
        "events-unsupported-extension",
        "baseline",
        both(
            lambda team: (team / "events.csv").rename(team / "events.xlsx"), set_key("baseline.events", "events.xlsx")
        ),
        "events.xlsx",
        "unsupported file type '.xlsx'",
    ),
    Case(
        "events-outcome-column-missing",
        "baseline",
        edit_csv("events.csv", lambda f: f.drop(columns="outcome")),
        "events.csv",
        "has no column 'outcome'",
        column="outcome",
    ),
    Case(
        "baseline-same-start-and-end-step",
        "baseline",
        set_key("baseline.end_step", "Evidence received"),
        "team.yml",
        "start_step and end_step are the same step",
    ),
    Case(
        "baseline-first-response-is-its-own-start",
        "baseline",
        set_key("baseline.first_response_step", "Ticket created"),
        "team.yml",
        "the time to first response would always be zero",
    ),
    Case(
        "baseline-column-mapped-to-unknown",
        "baseline",
        set_key("baseline.columns", {"Case ID": "case"}),
        "team.yml",
        "which is not one of ours",
    ),
    # -- baseline: staffing ----------------------------------------------------------------------------------------
    Case(
        "staffing-missing-column",
        "baseline",
        edit_csv("staffing.csv", lambda f: f.rename(columns={"staffed_hours": "hours"})),
        "staffing.csv",
        "has no column 'staffed_hours'",
        column="staffed_hours",
    ),
    Case(
        "staffing-day-first-week",
        "baseline",
        set_cell("staffing.csv", 5, "week", "16/06/2025"),
        "staffing.csv",
        "'16/06/2025' is not a date",
        column="week",
        row=5,
    ),
    Case(
        "staffing-week-not-a-monday",
        "baseline",
        set_cell("staffing.csv", 7, "week", "2025-07-01"),
        "staffing.csv",
        "is a Tuesday",
        column="week",
        row=7,
    ),
    Case(
        "staffing-hours-with-unit",
        "baseline",
        set_cell("staffing.csv", 3, "staffed_hours", "1165 h"),
        "staffing.csv",
        "'1165 h' is not a number of hours",
        column="staffed_hours",
        row=3,
    ),
    Case(
        "staffing-negative-hours",
        "baseline",
        set_cell("staffing.csv", 11, "staffed_hours", "-4"),
        "staffing.csv",
        "is not a number of hours >= 0",
        column="staffed_hours",
        row=11,
    ),
    Case(
        "staffing-duplicate-week",
        "baseline",
        duplicate_row("staffing.csv", 10),
        "staffing.csv",
        "this week appears twice",
        column="week",
        row=11,
    ),
    # -- survey ----------------------------------------------------------------------------------------------------
    Case(
        "survey-missing-item-column",
        "survey",
        edit_csv("survey.csv", lambda f: f.drop(columns="q_fast")),
        "survey.csv",
        "has no column 'q_fast'",
        column="q_fast",
    ),
    Case(
        "survey-reverse-item-misspelt",
        "survey",
        set_key("survey.scales", {"ease": ["q_find", "q_fast", "-q_clickz"], "trust": ["q_reliable", "q_accurate"]}),
        "survey.csv",
        "has no column 'q_clickz'",
        column="q_clickz",
    ),
    Case(
        "survey-answer-out-of-range",
        "survey",
        set_cell("survey.csv", 8, "q_find", "6"),
        "survey.csv",
        "outside the declared scale 1..5",
        column="q_find",
        row=8,
    ),
    Case(
        "survey-answer-zero",
        "survey",
        set_cell("survey.csv", 9, "q_overall", "0"),
        "survey.csv",
        "outside the declared scale",
        column="q_overall",
        row=9,
    ),
    Case(
        "survey-non-integer-answer",
        "survey",
        set_cell("survey.csv", 12, "q_fast", "4.5"),
        "survey.csv",
        "answer '4.5' is not a whole number",
        column="q_fast",
        row=12,
    ),
    Case(
        "survey-answer-as-words",
        "survey",
        set_cell("survey.csv", 20, "q_reliable", "Agree"),
        "survey.csv",
        "answer 'Agree' is not a number",
        column="q_reliable",
        row=20,
    ),
    Case(
        "survey-blank-wave",
        "survey",
        set_cell("survey.csv", 6, "wave", ""),
        "survey.csv",
        "the wave is blank",
        column="wave",
        row=6,
    ),
    Case(
        "survey-item-never-answered",
        "survey",
        edit_csv("survey.csv", lambda f: f.assign(q_accurate="")),
        "survey.csv",
        "the item has no answers at all",
        column="q_accurate",
    ),
    Case(
        "survey-duplicated-rows-exceed-invited",
        "survey",
        edit_csv("survey.csv", lambda f: pd.concat([f, f], ignore_index=True)),
        "survey.csv",
        "but 'invited' (per wave) is 72",
        column="wave",
    ),
    Case(
        "survey-single-response",
        "survey",
        edit_csv("survey.csv", lambda f: f.iloc[:1]),
        "survey.csv",
        "at least 2 are needed",
        row=2,
    ),
    Case(
        "survey-header-only",
        "survey",
        edit_csv("survey.csv", lambda f: f.iloc[:0]),
        "survey.csv",
        "header but no data rows",
        row=2,
    ),
    Case(
        "survey-semicolon-separated",
        "survey",
        edit_csv("survey.csv", lambda f: None, sep=";"),
        "survey.csv",
        "semicolon-separated",
        row=1,
    ),
    Case(
        "survey-latin1-text",
        "survey",
        both(set_cell("survey.csv", 30, "pain_points", "Le délai est trop long"), reencode("survey.csv", "latin-1")),
        "survey.csv",
        "not UTF-8",
        row=30,
    ),
    Case(
        "survey-utf16-excel-unicode-text",
        "survey",
        both(edit_csv("survey.csv", lambda f: None, sep="\t"), reencode("survey.csv", "utf-16")),
        "survey.csv",
        "UTF-16",
        row=1,
    ),
    Case(
        "survey-xlsx-renamed-csv", "survey", write_bytes("survey.csv", xlsx_bytes), "survey.csv", "the file is binary"
    ),
    Case("survey-empty-file", "survey", write_text("survey.csv", ""), "survey.csv", "the file is empty"),
    Case(
        "survey-5mb-single-line",
        "survey",
        write_bytes("survey.csv", one_huge_line()),
        "survey.csv",
        "no line break",
        row=1,
    ),
    Case(
        "survey-50k-garbage-rows",
        "survey",
        write_bytes(
            "survey.csv",
            garbage_rows(
                "respondent_id,wave,role,q_overall,q_find,q_fast,q_clicks,q_reliable,q_accurate,q_training,pain_points",
                50_000,
                11,
            ),
        ),
        "survey.csv",
        "is not a number",
        column="q_overall",
        row=2,
    ),
    Case("survey-scale-too-short", "survey", set_key("survey.scale_max", 2), "team.yml", "'survey'"),
    # -- its ---------------------------------------------------------------------------------------------------------
    Case(
        "its-missing-outcome-column",
        "its",
        edit_csv("weekly.csv", lambda f: f.rename(columns={"median_hours": "median"})),
        "weekly.csv",
        "has no column 'median_hours'",
        column="median_hours",
    ),
    Case(
        "its-impossible-date",
        "its",
        set_cell("weekly.csv", 14, "week", "2025-13-01"),
        "weekly.csv",
        "'2025-13-01' is not a date",
        column="week",
        row=14,
    ),
    Case(
        "its-mixed-time-zones",
        "its",
        edit_csv(
            "weekly.csv",
            lambda f: f.assign(
                week=[w + ("T00:00:00+08:00" if i < 5 else "T00:00:00Z") for i, w in enumerate(f["week"])]
            ),
        ),
        "weekly.csv",
        "time zones",
        column="week",
        row=7,
    ),
    Case(
        "its-duplicate-date",
        "its",
        duplicate_row("weekly.csv", 20),
        "weekly.csv",
        "appears twice",
        column="week",
        row=21,
    ),
    Case(
        "its-too-few-periods",
        "its",
        edit_csv("weekly.csv", lambda f: f.iloc[48:53]),
        "weekly.csv",
        "too few periods to fit",
        column="week",
    ),
    Case(
        "its-constant-covariate",
        "its",
        edit_csv("weekly.csv", lambda f: f.assign(staffed_hours="1200")),
        "weekly.csv",
        "has the same value in every fitted period",
        column="staffed_hours",
    ),
    Case(
        "its-outcome-with-unit",
        "its",
        set_cell("weekly.csv", 33, "median_hours", "17.5h"),
        "weekly.csv",
        "'17.5h' is not a number",
        column="median_hours",
        row=33,
    ),
    Case(
        "its-week-dated-a-day-late",
        "its",
        set_cell("weekly.csv", 4, "week", "2025-06-10"),
        "weekly.csv",
        "2025-06-10 is a Tuesday, but the other weeks start on a Monday",
        column="week",
        row=4,
    ),
    Case(
        "its-week-on-another-weekday",
        "its",
        set_cell("weekly.csv", 9, "week", "2025-07-16"),
        "weekly.csv",
        "is a Wednesday",
        column="week",
        row=9,
    ),
    Case(
        "its-dates-not-evenly-spaced",
        "its",
        edit_csv(
            "weekly.csv",
            lambda f: f.assign(week=pd.date_range("2025-05-19", periods=len(f), freq="10D").strftime("%Y-%m-%d")),
        ),
        "weekly.csv",
        "not evenly spaced",
        column="week",
    ),
    Case(
        "its-intervention-after-the-data",
        "its",
        set_key("its.interventions", ["2030-01-07"]),
        "weekly.csv",
        "so there is no post-period",
        column="week",
    ),
    Case(
        "its-interventions-out-of-order",
        "its",
        set_key("its.interventions", ["2026-05-04", "2026-01-05"]),
        "team.yml",
        "increasing order",
    ),
    Case("its-unknown-family", "its", set_key("its.family", "binomial"), "team.yml", "'its.family'"),
    Case(
        "its-binary-series", "its", write_bytes("weekly.csv", zipped("weekly.csv")), "weekly.csv", "the file is binary"
    ),
    # -- feasibility ------------------------------------------------------------------------------------------------
    Case(
        "feasibility-alpha-as-percent",
        "feasibility",
        set_key("feasibility.alpha", 5),
        "team.yml",
        "percentages are written as fractions",
    ),
    Case(
        "feasibility-power-as-percent",
        "feasibility",
        set_key("feasibility.power", 80),
        "team.yml",
        "'feasibility.power'",
    ),
    Case("feasibility-icc-above-one", "feasibility", set_key("feasibility.icc", 1.5), "team.yml", "icc is 1.5"),
    Case("feasibility-one-user", "feasibility", set_key("feasibility.users", 1), "team.yml", "at least 2 people"),
    Case(
        "feasibility-zero-effect",
        "feasibility",
        set_key("feasibility.minimum_effect", 0),
        "team.yml",
        "minimum_effect is 0",
    ),
    Case(
        "feasibility-unit-minutes-with-estimate",
        "feasibility",
        set_key("feasibility.metric_unit", "minutes"),
        "team.yml",
        "metric_unit is 'minutes'",
    ),
    Case(
        "feasibility-estimate-without-agent-column",
        "feasibility",
        drop_key("baseline.agent_column"),
        "events.csv",
        "has no agent_column",
    ),
    Case(
        "feasibility-agent-column-blank",
        "feasibility",
        edit_csv("events.csv", lambda f: f.assign(agent_id="")),
        "events.csv",
        "only 0 agent(s)",
        column="agent_id",
    ),
    Case(
        "feasibility-estimate-without-baseline",
        "feasibility",
        edit_config(lambda c: [c.pop("baseline"), c["its"].update(series="weekly.csv")]),
        "team.yml",
        "there is no baseline section",
    ),
]


# -- the messages the CLI can print (for the README's Troubleshooting table) ------------------------------------------
SRC = REPO / "src" / "inbound_playbook"

#: modules whose pydantic validators' ValueError messages reach the CLI (as "'key': message" from the config loader)
VALIDATOR_MODULES = ("config.py", "params.py")


@dataclass(frozen=True)
class Message:
    module: str  # path relative to src/inbound_playbook
    line: int
    template: str  # the message with each {expression} kept as {name}
    fix: str | None
    kind: str  # InputError | ValueError

    def fragment(self) -> str:
        """The longest fixed part of the message: what must appear in the README whatever the values are."""
        pieces = [piece.strip(" '.,:;()") for piece in re.split(r"\{[^{}]*\}", self.template)]
        return max(pieces, key=len)


def _templates(node, scope) -> list[str]:
    """The text of a string expression, each formatted value written as {name}; all branches of ifs and joins."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        results = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                results = [r + str(part.value) for r in results]
            else:
                name = ast.unparse(part.value)
                short = re.findall(r"[A-Za-z_]+", name.split("(")[0])
                label = short[-1] if short else "value"
                results = [r + "{" + label + "}" for r in results]
        return results
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _templates(node.left, scope) for b in _templates(node.right, scope)]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, scope) + _templates(node.orelse, scope)
    if isinstance(node, ast.Name) and scope is not None:
        found = []
        for sub in ast.walk(scope):
            if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in sub.targets):
                found += _templates(sub.value, scope)
        return found or ["{" + node.id + "}"]
    return ["{" + "value" + "}"]


def cli_messages() -> list[Message]:
    """Every InputError problem in src/ and every validator ValueError of the config's models, as templates."""
    import ast

    messages = []
    for path in sorted(SRC.rglob("*.py")):
        relative = str(path.relative_to(SRC))
        if relative == "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "ValueError" and path.name not in VALIDATOR_MODULES:
                continue
            if name not in ("InputError", "ValueError"):
                continue
            scope = next(
                (
                    f
                    for f in functions
                    if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
                    and all(
                        not (g is not f and f.lineno < g.lineno <= node.lineno <= (g.end_lineno or 0))
                        for g in functions
                    )
                ),
                None,
            )
            fix_node = next((k.value for k in node.keywords if k.arg == "fix"), None)
            fixes = _templates(fix_node, scope) if fix_node is not None else [None]
            for template in _templates(node.args[0], scope):
                if template.startswith("{") and template.endswith("}") and template.count("{") == 1:
                    continue  # a message passed through from elsewhere (listed where it is written)
                messages.append(Message(relative, node.lineno, template, fixes[0], name))
    return messages
