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


def cases_of(analysis: str, file: str) -> Callable[..., Case]:
    """A builder of the cases of one analysis whose message names ``file`` (the other fields as in ``Case``)."""

    def case(id: str, mutate: Callable[[Path], None], problem: str, **fields) -> Case:
        return Case(id, analysis, mutate, file, problem, **fields)

    return case


config_case = cases_of("config", "team.yml")
events_case = cases_of("baseline", "events.csv")
staffing_case = cases_of("baseline", "staffing.csv")
survey_case = cases_of("survey", "survey.csv")
its_case = cases_of("its", "weekly.csv")
feasibility_case = cases_of("feasibility", "team.yml")


def no_column(case: Callable[..., Case], id: str, mutate: Callable[[Path], None], column: str) -> Case:
    """A case whose file lacks ``column``: the message names it."""
    return case(id, mutate, f"has no column '{column}'", column=column)


def not_a_date(case: Callable[..., Case], id: str, file: str, row: int, column: str, value: str) -> Case:
    """A case with ``value`` written in a date column: the message quotes it, with its column and row."""
    return case(id, set_cell(file, row, column, value), f"'{value}' is not a date", column=column, row=row)


EVENTS_HEADER = "ticket_id,step,timestamp,agent_id,category,outcome"
# The first 300 tickets: ticket DSP-000001's six events are rows 2-7.

CASES: list[Case] = [
    # -- the config ----------------------------------------------------------------------------------------------
    config_case("config-unknown-top-level-key", rename_key("timezone", "timezon"), "unknown key 'timezon'"),
    config_case(
        "config-unknown-section-key", rename_key("baseline.start_step", "start_stp"), "unknown key 'baseline.start_stp'"
    ),
    config_case(
        "config-unsafe-yaml-python-object",
        write_text("team.yml", "team: !!python/object/apply:os.system ['touch pwned']\n"),
        "not valid YAML",
    ),
    config_case("config-slug-escapes-with-dotdot", set_key("team", "../.."), "is not a team slug"),
    config_case("config-slug-absolute-path", set_key("team", "/etc"), "is not a team slug"),
    config_case("config-slug-with-slash", set_key("team", "a/../../b"), "is not a team slug"),
    config_case("config-unknown-time-zone", set_key("timezone", "Mars/Olympus_Mons"), "is not an IANA time zone"),
    config_case("config-empty-file", write_text("team.yml", ""), "the config file is empty"),
    config_case("config-a-list-not-a-mapping", write_text("team.yml", "- team: a\n- team: b\n"), "must be a mapping"),
    config_case("config-broken-indentation", write_text("team.yml", "team: a\n  title: [unclosed\n"), "not valid YAML"),
    config_case("config-utf16", reencode("team.yml", "utf-16"), "not UTF-8"),
    config_case("config-zip-renamed", write_bytes("team.yml", zipped("team.yml")), "not UTF-8"),
    config_case("config-required-key-missing", drop_key("baseline.start_step"), "'baseline.start_step' is required"),
    config_case(
        "config-no-analysis-section",
        edit_config(lambda c: [c.pop(k) for k in ("baseline", "survey", "its", "feasibility")]),
        "no analysis section",
    ),
    config_case("config-negative-seed", set_key("seed", -1), "'seed'"),
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
    events_case("events-file-missing", lambda team: (team / "events.csv").unlink(), "no such file"),
    no_column(
        events_case,
        "events-missing-timestamp-column",
        edit_csv("events.csv", lambda f: f.drop(columns="timestamp")),
        "timestamp",
    ),
    no_column(
        events_case,
        "events-misnamed-column",
        edit_csv("events.csv", lambda f: f.rename(columns={"ticket_id": "Case ID"})),
        "ticket_id",
    ),
    no_column(
        events_case, "events-mapped-header-absent", set_key("baseline.columns", {"Case ID": "ticket_id"}), "Case ID"
    ),
    events_case(
        "events-day-first-date",
        set_cell("events.csv", 40, "timestamp", "04/05/2025 10:00"),
        "'04/05/2025 10:00' is not a timestamp",
        column="timestamp",
        row=40,
    ),
    events_case(
        "events-impossible-date",
        set_cell("events.csv", 9, "timestamp", "2025-02-30 10:00:00"),
        "is not a timestamp",
        column="timestamp",
        row=9,
    ),
    events_case(
        "events-zone-abbreviation",
        set_cell("events.csv", 12, "timestamp", "2025-05-19 10:00:00 SGT"),
        "is not a timestamp",
        column="timestamp",
        row=12,
    ),
    events_case(
        "events-mixed-zones-reorder-a-ticket",
        strict(utc_label_on_start),
        "only before its first 'Evidence received'",
        column="timestamp",
        row=6,
    ),
    events_case(
        "events-end-before-start-only",
        strict(swap_start_and_end),
        "only before its first 'Evidence received'",
        column="timestamp",
        row=6,
    ),
    events_case(
        "events-blank-timestamp",
        strict(set_cell("events.csv", 15, "timestamp", "")),
        "the timestamp is blank",
        column="timestamp",
        row=15,
    ),
    events_case(
        "events-blank-ticket-id",
        set_cell("events.csv", 21, "ticket_id", ""),
        "the ticket id is blank",
        column="ticket_id",
        row=21,
    ),
    events_case(
        "events-duplicate-row",
        strict(duplicate_row("events.csv", 30)),
        "this event repeats row 30",
        column="ticket_id",
        row=31,
    ),
    events_case(
        "events-used-column-header-repeated",
        duplicate_header("category", "agent_id"),
        "two columns have the same header",
        column="agent_id",
        row=1,
    ),
    events_case(
        "events-unused-header-repeated-under-strict",
        strict(
            set_key("baseline.segment_column", None),
            duplicate_header("category", "outcome"),
            set_key("baseline.outcome_column", None),
        ),
        "two columns have the same header",
        column="outcome",
        row=1,
    ),
    events_case(
        "events-day-first-dates-named-with-a-format",
        set_cell("events.csv", 40, "timestamp", "29/05/2025 10:00"),
        "'29/05/2025 10:00' is not a timestamp",
        column="timestamp",
        row=40,
    ),
    events_case(
        "events-start-step-renamed",
        set_key("baseline.start_step", "Evidence Received"),
        "no event has the step 'Evidence Received'",
        column="step",
    ),
    events_case(
        "events-first-response-step-unknown",
        set_key("baseline.first_response_step", "First reply"),
        "no event has the step 'First reply'",
        column="step",
    ),
    events_case(
        "events-unquoted-comma",
        edit_line(
            "events.csv", 25, lambda line: ",".join([*line.split(",")[:4], "Damaged, item", *line.split(",")[5:]])
        ),
        "different number of fields",
        row=25,
    ),
    events_case(
        "events-extra-field",
        edit_line("events.csv", 33, lambda line: line + ",Escalated"),
        "different number of fields",
        row=33,
    ),
    events_case(
        "events-semicolon-separated", edit_csv("events.csv", lambda f: None, sep=";"), "semicolon-separated", row=1
    ),
    events_case("events-tab-separated", edit_csv("events.csv", lambda f: None, sep="\t"), "tab-separated", row=1),
    events_case(
        "events-latin1",
        both(set_cell("events.csv", 50, "category", "Article endommagé"), reencode("events.csv", "latin-1")),
        "not UTF-8",
        row=50,
    ),
    events_case("events-utf16", reencode("events.csv", "utf-16"), "UTF-16", row=1),
    events_case("events-zip-renamed-csv", write_bytes("events.csv", zipped("events.csv")), "the file is binary"),
    events_case("events-xlsx-renamed-csv", write_bytes("events.csv", xlsx_bytes), "the file is binary"),
    events_case("events-empty-file", write_text("events.csv", ""), "the file is empty"),
    events_case("events-header-only", write_text("events.csv", EVENTS_HEADER + "\n"), "header but no data rows", row=2),
    events_case("events-5mb-single-line", write_bytes("events.csv", one_huge_line()), "no line break", row=1),
    events_case(
        "events-300k-garbage-rows",
        write_bytes("events.csv", garbage_rows(EVENTS_HEADER, 300_000, 6)),
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
    no_column(
        events_case,
        "events-outcome-column-missing",
        edit_csv("events.csv", lambda f: f.drop(columns="outcome")),
        "outcome",
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
    no_column(
        staffing_case,
        "staffing-missing-column",
        edit_csv("staffing.csv", lambda f: f.rename(columns={"staffed_hours": "hours"})),
        "staffed_hours",
    ),
    not_a_date(staffing_case, "staffing-day-first-week", "staffing.csv", 5, "week", "16/06/2025"),
    staffing_case(
        "staffing-week-not-a-monday",
        set_cell("staffing.csv", 7, "week", "2025-07-01"),
        "is a Tuesday",
        column="week",
        row=7,
    ),
    staffing_case(
        "staffing-hours-with-unit",
        set_cell("staffing.csv", 3, "staffed_hours", "1165 h"),
        "'1165 h' is not a number of hours",
        column="staffed_hours",
        row=3,
    ),
    staffing_case(
        "staffing-negative-hours",
        set_cell("staffing.csv", 11, "staffed_hours", "-4"),
        "is not a number of hours >= 0",
        column="staffed_hours",
        row=11,
    ),
    staffing_case(
        "staffing-duplicate-week", duplicate_row("staffing.csv", 10), "this week appears twice", column="week", row=11
    ),
    # -- survey ----------------------------------------------------------------------------------------------------
    no_column(
        survey_case, "survey-missing-item-column", edit_csv("survey.csv", lambda f: f.drop(columns="q_fast")), "q_fast"
    ),
    no_column(
        survey_case,
        "survey-reverse-item-misspelt",
        set_key("survey.scales", {"ease": ["q_find", "q_fast", "-q_clickz"], "trust": ["q_reliable", "q_accurate"]}),
        "q_clickz",
    ),
    survey_case(
        "survey-answer-out-of-range",
        set_cell("survey.csv", 8, "q_find", "6"),
        "outside the declared scale 1..5",
        column="q_find",
        row=8,
    ),
    survey_case(
        "survey-answer-zero",
        set_cell("survey.csv", 9, "q_overall", "0"),
        "outside the declared scale",
        column="q_overall",
        row=9,
    ),
    survey_case(
        "survey-non-integer-answer",
        set_cell("survey.csv", 12, "q_fast", "4.5"),
        "answer '4.5' is not a whole number",
        column="q_fast",
        row=12,
    ),
    survey_case(
        "survey-answer-as-words",
        set_cell("survey.csv", 20, "q_reliable", "Agree"),
        "answer 'Agree' is not a number",
        column="q_reliable",
        row=20,
    ),
    survey_case("survey-blank-wave", set_cell("survey.csv", 6, "wave", ""), "the wave is blank", column="wave", row=6),
    survey_case(
        "survey-item-never-answered",
        edit_csv("survey.csv", lambda f: f.assign(q_accurate="")),
        "the item has no answers at all",
        column="q_accurate",
    ),
    survey_case(
        "survey-duplicated-rows-exceed-invited",
        edit_csv("survey.csv", lambda f: pd.concat([f, f], ignore_index=True)),
        "but 'invited' (per wave) is 72",
        column="wave",
    ),
    survey_case("survey-single-response", edit_csv("survey.csv", lambda f: f.iloc[:1]), "at least 2 are needed", row=2),
    survey_case("survey-header-only", edit_csv("survey.csv", lambda f: f.iloc[:0]), "header but no data rows", row=2),
    survey_case(
        "survey-semicolon-separated", edit_csv("survey.csv", lambda f: None, sep=";"), "semicolon-separated", row=1
    ),
    survey_case(
        "survey-latin1-text",
        both(set_cell("survey.csv", 30, "pain_points", "Le délai est trop long"), reencode("survey.csv", "latin-1")),
        "not UTF-8",
        row=30,
    ),
    survey_case(
        "survey-utf16-excel-unicode-text",
        both(edit_csv("survey.csv", lambda f: None, sep="\t"), reencode("survey.csv", "utf-16")),
        "UTF-16",
        row=1,
    ),
    survey_case("survey-xlsx-renamed-csv", write_bytes("survey.csv", xlsx_bytes), "the file is binary"),
    survey_case("survey-empty-file", write_text("survey.csv", ""), "the file is empty"),
    survey_case("survey-5mb-single-line", write_bytes("survey.csv", one_huge_line()), "no line break", row=1),
    survey_case(
        "survey-50k-garbage-rows",
        write_bytes(
            "survey.csv",
            garbage_rows(
                "respondent_id,wave,role,q_overall,q_find,q_fast,q_clicks,q_reliable,q_accurate,q_training,pain_points",
                50_000,
                11,
            ),
        ),
        "is not a number",
        column="q_overall",
        row=2,
    ),
    Case("survey-scale-too-short", "survey", set_key("survey.scale_max", 2), "team.yml", "'survey'"),
    # -- its ---------------------------------------------------------------------------------------------------------
    no_column(
        its_case,
        "its-missing-outcome-column",
        edit_csv("weekly.csv", lambda f: f.rename(columns={"median_hours": "median"})),
        "median_hours",
    ),
    not_a_date(its_case, "its-impossible-date", "weekly.csv", 14, "week", "2025-13-01"),
    its_case(
        "its-mixed-time-zones",
        edit_csv(
            "weekly.csv",
            lambda f: f.assign(
                week=[w + ("T00:00:00+08:00" if i < 5 else "T00:00:00Z") for i, w in enumerate(f["week"])]
            ),
        ),
        "time zones",
        column="week",
        row=7,
    ),
    its_case("its-duplicate-date", duplicate_row("weekly.csv", 20), "appears twice", column="week", row=21),
    its_case(
        "its-too-few-periods", edit_csv("weekly.csv", lambda f: f.iloc[48:53]), "too few periods to fit", column="week"
    ),
    its_case(
        "its-constant-covariate",
        edit_csv("weekly.csv", lambda f: f.assign(staffed_hours="1200")),
        "has the same value in every fitted period",
        column="staffed_hours",
    ),
    its_case(
        "its-outcome-with-unit",
        set_cell("weekly.csv", 33, "median_hours", "17.5h"),
        "'17.5h' is not a number",
        column="median_hours",
        row=33,
    ),
    its_case(
        "its-week-dated-a-day-late",
        set_cell("weekly.csv", 4, "week", "2025-06-10"),
        "2025-06-10 is a Tuesday, but the other weeks start on a Monday",
        column="week",
        row=4,
    ),
    its_case(
        "its-week-on-another-weekday",
        set_cell("weekly.csv", 9, "week", "2025-07-16"),
        "is a Wednesday",
        column="week",
        row=9,
    ),
    its_case(
        "its-dates-not-evenly-spaced",
        edit_csv(
            "weekly.csv",
            lambda f: f.assign(week=pd.date_range("2025-05-19", periods=len(f), freq="10D").strftime("%Y-%m-%d")),
        ),
        "not evenly spaced",
        column="week",
    ),
    its_case(
        "its-intervention-after-the-data",
        set_key("its.interventions", ["2030-01-07"]),
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
    its_case("its-binary-series", write_bytes("weekly.csv", zipped("weekly.csv")), "the file is binary"),
    # -- feasibility ------------------------------------------------------------------------------------------------
    feasibility_case(
        "feasibility-alpha-as-percent", set_key("feasibility.alpha", 5), "percentages are written as fractions"
    ),
    feasibility_case("feasibility-power-as-percent", set_key("feasibility.power", 80), "'feasibility.power'"),
    feasibility_case("feasibility-icc-above-one", set_key("feasibility.icc", 1.5), "icc is 1.5"),
    feasibility_case("feasibility-one-user", set_key("feasibility.users", 1), "at least 2 people"),
    feasibility_case("feasibility-zero-effect", set_key("feasibility.minimum_effect", 0), "minimum_effect is 0"),
    feasibility_case(
        "feasibility-unit-minutes-with-estimate",
        set_key("feasibility.metric_unit", "minutes"),
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
    feasibility_case(
        "feasibility-estimate-without-baseline",
        edit_config(lambda c: [c.pop("baseline"), c["its"].update(series="weekly.csv")]),
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
