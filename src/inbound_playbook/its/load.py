"""Reading and checking the series an interrupted time series is fitted to.

Every problem a team can fix in its file raises ``InputError`` naming the file, the column, the first offending row
(spreadsheet numbering: header = row 1) and what to do. The result is an :class:`ItsData`: one row per period with
its place in time ``t`` (periods counted by date from the first row, so gaps keep their place), the outcome ``y``,
the covariates, the offset and the control series, and for each intervention its first post period.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import checked_frame, first_bad_row, read_table
from .params import DURATION_SUFFIXES, FromAnalysis, ItsParams

#: with fewer fitted periods than this on either side the trend is poorly determined: the report warns
MIN_PERIODS_WARN = 12
#: fewer fitted periods than this on a side is refused (below min_periods_per_side: a descriptive before/after)
MIN_PERIODS_HARD = 3

FREQUENCIES = ("day", "week", "month", "year")


@dataclass(frozen=True)
class ItsData:
    """A checked series, ready for :func:`inbound_playbook.its.stats.fit_its`.

    ``frame`` has one row per period present in the file, in time order, with columns ``date``, ``t`` (period
    number counted by date, 0 at the first row), ``y``, each covariate under its own name, ``offset`` (when set),
    ``control`` (when set), ``weight`` (when periods are weighted), ``excluded`` (True for periods kept in time but
    left out of the fit) and ``left_out`` (why: phase_in, few_tickets, mostly_open; counted in ``exclusions``).
    Rows with a blank outcome, covariate, offset, control or weight are dropped and counted in ``n_missing``.
    ``ends`` holds each intervention's first period after its end (None: permanent); ``too_short`` says why only a
    descriptive before/after can be given (None: the model can be fitted).
    """

    frame: pd.DataFrame
    first_post: tuple[int, ...]
    intervention_dates: tuple[dt.date, ...]
    frequency: str
    covariates: tuple[str, ...] = ()
    has_offset: bool = False
    has_control: bool = False
    n_missing: int = 0
    source: str | None = None
    extra: dict = field(default_factory=dict)
    ends: tuple[int | None, ...] = ()
    weight_column: str | None = None
    exclusions: dict = field(default_factory=dict)
    log_scale: bool = False
    too_short: str | None = None

    def period_date(self, t: int) -> pd.Timestamp:
        """Start date of period ``t`` (also for periods absent from the file)."""
        start = pd.Timestamp(self.frame["date"].iloc[0]) - _offset(self.frequency, int(self.frame["t"].iloc[0]))
        return start + _offset(self.frequency, int(t))


def _offset(frequency: str, n: int) -> pd.DateOffset | pd.Timedelta:
    if frequency == "day":
        return pd.Timedelta(days=n)
    if frequency == "week":
        return pd.Timedelta(weeks=n)
    if frequency == "month":
        return pd.DateOffset(months=n)
    return pd.DateOffset(years=n)


def series_path(params: ItsParams) -> Path | None:
    """The series file, or None when it is ``{from: baseline}`` (the runner substitutes the baseline's table)."""
    if isinstance(params.series, FromAnalysis):
        return None
    return Path(params.series)


def load_series(params: ItsParams, series: pd.DataFrame | None = None) -> tuple[ItsData, pd.DataFrame]:
    """Read and check the configured series (or the ``series`` data frame). Returns the checked data and the raw
    frame (strings for CSV)."""
    if series is not None:
        raw = checked_frame(series.reset_index(drop=True), "series", required=[params.date_column], what="ITS series")
        check_columns(raw, params, None)
        return prepare_series(raw, params, source=None), raw
    path = series_path(params)
    if path is None:
        raise InputError(
            "'series' is {from: baseline}, which only a full run can resolve",
            column="series",
            fix="run it with 'playbook run CONFIG' (the baseline's weekly table is passed on), "
            "or point 'series' at a file",
        )
    raw = read_table(path, required=[params.date_column], what="ITS series")
    check_columns(raw, params, str(path))
    data = prepare_series(raw, params, source=str(path))
    return data, raw


def _numeric(raw: pd.DataFrame, column: str, file: str | None) -> pd.Series:
    """Numbers from a column; blanks become NaN; anything else that is not a number is an error."""
    values = raw[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        bad = ~np.isfinite(numbers) & values.notna()
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        blank = text.isna() | (text == "")
        bad = (numbers.isna() & ~blank) | (~np.isfinite(numbers.fillna(0.0)))
    if bad.any():
        row = first_bad_row(bad.reset_index(drop=True))
        shown = raw[column].iloc[int(np.flatnonzero(bad.to_numpy())[0])]
        raise InputError(
            f"'{shown}' is not a number",
            file=file,
            column=column,
            row=row,
            fix="use plain numbers with a dot as the decimal mark and no units, or leave the cell blank if unknown",
        )
    return numbers


def _parse_dates(raw: pd.DataFrame, column: str, file: str | None) -> pd.Series:
    values = raw[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = pd.to_datetime(values)
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        missing = dates.isna()
    else:
        text = values.astype("string").str.strip()
        missing = text.isna() | (text == "")
        if (~missing).any() and text[~missing].str.fullmatch(r"\d{4}").all():
            dates = pd.to_datetime(text + "-01-01", format="%Y-%m-%d", errors="coerce")
        else:
            _check_one_zone(text, missing, file, column)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas warns about mixed zones, which were refused above
                dates = pd.to_datetime(text, format="ISO8601", errors="coerce")
            if not pd.api.types.is_datetime64_any_dtype(dates):  # not reached after the check; never a traceback
                raise InputError(
                    "the dates could not be read as one calendar",
                    file=file,
                    column=column,
                    fix="write dates as YYYY-MM-DD (e.g. 2026-05-04), one period start per row",
                )
            if getattr(dates.dt, "tz", None) is not None:
                dates = dates.dt.tz_localize(None)
        bad = dates.isna() & ~missing
        if bad.any():
            index = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"'{values.iloc[index]}' is not a date",
                file=file,
                column=column,
                row=index + 2,
                fix="write dates as YYYY-MM-DD (e.g. 2026-05-04), one period start per row",
            )
    if missing.any():
        raise InputError(
            "a row has no date",
            file=file,
            column=column,
            row=first_bad_row(missing.reset_index(drop=True)),
            fix="give every row the start date of its period, or delete the row",
        )
    return dates.dt.normalize()


_ZONE_SUFFIX = re.compile(r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")


def _check_one_zone(text: pd.Series, missing: pd.Series, file: str | None, column: str) -> None:
    """Dates written with a time and a UTC offset must all use the same offset (or none): a series' periods are
    calendar dates, and mixing zones would shift some periods by a day."""
    zones = text.where(~missing).map(
        lambda value: None if value is None or value is pd.NA else _zone_of(str(value)), na_action="ignore"
    )
    present = zones[~missing.to_numpy()]
    if present.empty:
        return
    first = present.iloc[0]
    differs = (~missing) & (zones != first)
    if differs.any():
        index = int(np.flatnonzero(differs.to_numpy())[0])

        def described(zone: str) -> str:
            return "no UTC offset" if zone == "(none)" else f"the UTC offset {zone}"

        raise InputError(
            f"'{text.iloc[index]}' has {described(zones.iloc[index])}, but the first date "
            f"('{text[~missing].iloc[0]}') has {described(first)}: the dates mix time zones",
            file=file,
            column=column,
            row=index + 2,
            fix="write each period's start as a plain date, YYYY-MM-DD, with no time or zone",
        )


def _zone_of(value: str) -> str:
    value = value.strip()
    if not re.search(r"\d[T ]\d", value):  # a plain date: no time, so no zone
        return "(none)"
    match = _ZONE_SUFFIX.search(value)
    if match is None:
        return "(none)"
    zone = match.group(0).upper()
    return "+00:00" if zone == "Z" else zone


def infer_frequency(dates: pd.Series, file: str | None = None, column: str | None = None) -> tuple[str, np.ndarray]:
    """The series' period (day, week, month or year) and each row's period number counted by date from the first.

    Gaps are allowed (a missing week keeps its place: the next row's ``t`` jumps by two); dates that do not fall
    on a regular grid are an error.
    """
    ordered = dates.sort_values()
    if len(ordered) < 2:
        return "week", np.zeros(len(dates), dtype=int)
    first = ordered.iloc[0]
    days = (ordered - first).dt.days.to_numpy()
    step = int(np.diff(days).min())
    typical = int(np.median(np.diff(days)))
    if 7 <= typical < 28 and typical % 7 == 0:
        # a weekly series with a mis-dated week: never read it as a daily series with gaps
        weekdays = dates.dt.dayofweek.reset_index(drop=True)
        usual = int(weekdays.mode().iloc[0])
        off = weekdays != usual
        if off.any():
            row = first_bad_row(off)
            day = pd.Timestamp(dates.iloc[row - 2])
            raise InputError(
                f"{day.date()} is a {day.day_name()}, but the other weeks start on a {calendar.day_name[usual]}: the "
                "dates are not evenly spaced weeks",
                file=file,
                column=column,
                row=row,
                fix="date every week by the same weekday (the week's first day)",
            )
    month_index = (ordered.dt.year * 12 + ordered.dt.month).to_numpy()
    same_day = (ordered.dt.day == first.day).all()
    if step == 1:
        frequency, t = "day", days
    elif step % 7 == 0 and (days % 7 == 0).all() and step < 28:
        frequency, t = "week", days // 7
    elif 28 <= step <= 31 and same_day:
        frequency, t = "month", month_index - month_index[0]
    elif 365 <= step <= 366 and same_day and (ordered.dt.month == first.month).all():
        frequency, t = "year", (ordered.dt.year - first.year).to_numpy()
    else:
        raise InputError(
            f"the dates are not evenly spaced days, weeks, months or years (smallest gap {step} days)",
            file=file,
            column=column,
            fix="give one row per period, each dated with the period's first day (weeks all on the same weekday)",
        )
    if frequency == "week" and not (days % 7 == 0).all():
        raise InputError(
            "weekly dates fall on different weekdays",
            file=file,
            column=column,
            fix="date every week by the same weekday (the week's first day)",
        )
    positions = pd.Series(t, index=ordered.index).reindex(dates.index).to_numpy()
    return frequency, positions.astype(int)


def required_columns(params: ItsParams) -> list[str]:
    """The columns the configured model reads (the date, the outcome, covariates, offset, control, weight)."""
    names = [params.date_column, params.outcome, *params.covariates]
    for name in (params.offset, params.control):
        if name:
            names.append(name)
    if params.weight_column not in (None, "auto"):
        names.append(params.weight_column)
    return list(dict.fromkeys(names))


def check_columns(raw: pd.DataFrame, params: ItsParams, file: str | None) -> None:
    """Every column the its section names is in the series; the error lists the columns there are."""
    keys = {
        params.outcome: "outcome",
        params.offset: "offset",
        params.control: "control",
        params.weight_column: "weight_column",
        **{name: "covariates" for name in params.covariates},
    }
    for name in required_columns(params):
        if name not in raw.columns:
            key = keys.get(name, "date_column")
            raise InputError(
                f"the ITS series has no column '{name}' (named in '{key}'); its columns are: "
                f"{', '.join(map(str, raw.columns))}",
                file=file,
                column=name,
                fix=f"change '{name}' in the its section's '{key}' to one of those columns, or add it to the file",
            )


def uses_log_scale(params: ItsParams) -> bool:
    """``scale: auto`` is log for gaussian durations (a name ending in _hours, _minutes, _days or _seconds)."""
    if params.family != "gaussian":
        return False
    if params.scale != "auto":
        return params.scale == "log"
    return params.outcome.endswith(DURATION_SUFFIXES)


def weight_column(params: ItsParams, columns) -> str | None:
    """The column periods are weighted by: the configured one, or for ``auto`` ``tickets_completed`` when present
    (the baseline's weekly table has it); never for count models (the Poisson variance already weighs them)."""
    if params.family != "gaussian":
        return None
    if params.weight_column == "auto":
        return "tickets_completed" if "tickets_completed" in columns else None
    return params.weight_column


def prepare_series(raw: pd.DataFrame, params: ItsParams, *, source: str | None = None) -> ItsData:
    """Validate a raw series frame and build :class:`ItsData` (used by :func:`load_series` and by tests).

    Steps: dates (one per period, on a regular grid), the model's columns as numbers, blank rows dropped and
    counted, value checks (counts, offset, positive outcome on the log scale), the interventions' first post
    periods, the periods left out (phase-in, too few tickets, mostly open), and enough periods on each side.
    """
    raw = raw.reset_index(drop=True)
    dates = _unique_dates(raw, params.date_column, source)
    frequency, t = infer_frequency(dates, source, params.date_column)
    weights_from = weight_column(params, raw.columns)
    frame = _model_frame(raw, params, dates, t, weights_from, source)
    frame, n_missing = _drop_blank_rows(frame, params, weights_from)
    _check_values(frame, params, source)
    windows = _intervention_windows(frame, params, frequency, source)
    first_post = tuple(start for start, _ in windows)
    frame, exclusions = _mark_excluded(frame, raw, params, first_post, weights_from)
    too_short = _too_short(frame, first_post, params, source)
    if too_short is None:
        _check_fittable(frame, params, source)
    return ItsData(
        frame=frame.drop(columns="_row"),
        first_post=first_post,
        intervention_dates=tuple(params.intervention_dates),
        frequency=frequency,
        covariates=tuple(params.covariates),
        has_offset=bool(params.offset),
        has_control=bool(params.control),
        n_missing=n_missing,
        source=source,
        extra={"first_row": {int(a): int(b) for a, b in zip(frame["t"], frame["_row"], strict=False)}},
        ends=tuple(end for _, end in windows),
        weight_column=weights_from,
        exclusions=exclusions,
        log_scale=uses_log_scale(params),
        too_short=too_short,
    )


def _unique_dates(raw: pd.DataFrame, column: str, file: str | None) -> pd.Series:
    dates = _parse_dates(raw, column, file)
    duplicated = dates.duplicated(keep="first")
    if duplicated.any():
        raise InputError(
            f"the date {dates[duplicated].iloc[0].date()} appears twice",
            file=file,
            column=column,
            row=first_bad_row(duplicated),
            fix="keep one row per period (sum or recompute the duplicated period)",
        )
    return dates


RESERVED = ("date", "t", "y", "offset", "control", "excluded", "weight", "left_out")


def _model_frame(
    raw: pd.DataFrame, params: ItsParams, dates: pd.Series, t: np.ndarray, weights_from: str | None, file: str | None
) -> pd.DataFrame:
    """One row per period: date, t, y, the covariates under their names, offset, control and weight, time-ordered."""
    frame = pd.DataFrame({"date": dates, "t": t, "_row": np.arange(len(raw)) + 2})
    frame["y"] = _numeric(raw, params.outcome, file)
    for name in params.covariates:
        if name in RESERVED:
            raise InputError(
                f"the covariate name '{name}' is reserved", file=file, column=name, fix="rename the column"
            )
        frame[name] = _numeric(raw, name, file)
    for key, column in (("offset", params.offset), ("control", params.control), ("weight", weights_from)):
        if column:
            frame[key] = _numeric(raw, column, file)
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def _drop_blank_rows(frame: pd.DataFrame, params: ItsParams, weights_from: str | None) -> tuple[pd.DataFrame, int]:
    used = ["y", *params.covariates] + [k for k in ("offset", "control", "weight") if k in frame]
    blank = frame[used].isna().any(axis=1)
    return frame.loc[~blank].reset_index(drop=True), int(blank.sum())


def _refuse_row(frame: pd.DataFrame, bad: pd.Series, message: str, file, column, fix: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            message.format(value=frame.loc[frame.index[i], "y"]),
            file=file,
            column=column,
            row=int(frame["_row"].iloc[i]),
            fix=fix,
        )


def _check_values(frame: pd.DataFrame, params: ItsParams, file: str | None) -> None:
    """Counts are whole numbers >= 0; an offset is positive; a log-scale outcome is positive; rows remain."""
    if frame.empty:
        raise InputError(
            "no row has all of the outcome, covariates, offset and control filled in",
            file=file,
            column=params.outcome,
            fix="fill in the blank cells, or remove columns you do not need",
        )
    if params.family in ("poisson", "quasipoisson"):
        for column, label in (("y", params.outcome), ("control", params.control)):
            if column in frame:
                values = frame[column]
                bad = (values < 0) | (values != np.round(values))
                if bad.any():
                    i = int(np.flatnonzero(bad.to_numpy())[0])
                    raise InputError(
                        f"{values.iloc[i]:g} is not a count (a whole number >= 0), which the {params.family} family "
                        "needs",
                        file=file,
                        column=label,
                        row=int(frame["_row"].iloc[i]),
                        fix="model counts with poisson/quasipoisson, or use family: gaussian for durations and rates",
                    )
    if params.offset:
        _refuse_row(
            frame,
            frame["offset"] <= 0,
            "the offset must be positive (its logarithm enters the model)",
            file,
            params.offset,
            "use the population or exposure of each period (a number > 0)",
        )
    if uses_log_scale(params):
        _refuse_row(
            frame,
            frame["y"] <= 0,
            "{value:g} is not above 0, and the log scale needs positive values",
            file,
            params.outcome,
            "set scale: linear for an outcome that can be 0 or negative",
        )
        if "control" in frame:
            _refuse_row(
                frame,
                frame["control"] <= 0,
                "the control series must be above 0 on the log scale",
                file,
                params.control,
                "set scale: linear",
            )


def _intervention_windows(
    frame: pd.DataFrame, params: ItsParams, frequency: str, file: str | None
) -> list[tuple[int, int | None]]:
    """Each intervention's first post period and, for a temporary one, its first period after the end."""
    windows = []
    first, last = frame["date"].iloc[0], frame["date"].iloc[-1]
    for item in params.interventions:
        stamp = pd.Timestamp(item.date)
        if stamp <= first:
            raise InputError(
                f"the intervention {item.date} is on or before the first period ({first.date()}), so there is no "
                "pre-period",
                file=file,
                column=params.date_column,
                fix=f"give a date between {first.date()} and {last.date()}, or supply periods from before it",
            )
        if stamp > last:
            raise InputError(
                f"the intervention {item.date} is after the last period ({last.date()}), so there is no post-period",
                file=file,
                column=params.date_column,
                fix=f"give a date between {first.date()} and {last.date()}, or wait for periods after it",
            )
        end = None if item.end is None else _first_period_on_or_after(frame, pd.Timestamp(item.end), frequency)
        windows.append((int(_first_period_on_or_after(frame, stamp, frequency)), end))
    starts = [start for start, _ in windows]
    if len(set(starts)) != len(starts):
        raise InputError(
            "two interventions fall in the same period",
            file=file,
            column=params.date_column,
            fix="merge them into one intervention, or use a finer period",
        )
    return windows


def _mark_excluded(
    frame: pd.DataFrame, raw: pd.DataFrame, params: ItsParams, first_post: tuple[int, ...], weights_from: str | None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Periods kept in time but left out of the fit, each counted by reason (first reason wins):
    ``phase_in`` (while the change beds in), ``few_tickets`` (weight below ``min_tickets_per_period``),
    ``mostly_open`` (the last periods of a duration series whose open share is above ``max_open_share``, counted
    back from the end: their medians count only the tickets quick enough to have finished)."""
    t = frame["t"].to_numpy()
    reason = np.full(len(frame), "", dtype=object)
    if params.phase_in:
        for t0 in first_post:
            reason[(reason == "") & (t >= t0) & (t < t0 + params.phase_in)] = "phase_in"
    if weights_from and params.min_tickets_per_period:
        reason[(reason == "") & (frame["weight"].to_numpy() < params.min_tickets_per_period)] = "few_tickets"
    share = open_share(raw, params)
    if share is not None:
        by_row = share.reindex(frame["_row"].to_numpy() - 2).to_numpy()
        recent = _trailing_run(by_row > params.max_open_share)
        reason[(reason == "") & recent] = "mostly_open"
    frame = frame.assign(excluded=reason != "", left_out=reason)
    counts = {name: int((reason == name).sum()) for name in ("phase_in", "few_tickets", "mostly_open")}
    return frame, counts


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """The periods at the end of the series, counted back while ``flags`` holds (the recent periods the extract
    came too early for; an earlier period's open tickets stalled, which a later extract would not change)."""
    out = np.zeros(len(flags), dtype=bool)
    for i in range(len(flags) - 1, -1, -1):
        if not flags[i]:
            break
        out[i] = True
    return out


def open_share(raw: pd.DataFrame, params: ItsParams) -> pd.Series | None:
    """tickets_open / tickets_started per raw row, for a gaussian duration outcome of a series that has both
    columns (the baseline's weekly table); None when it does not apply."""
    if params.family != "gaussian" or not params.outcome.endswith(DURATION_SUFFIXES):
        return None
    if not {"tickets_open", "tickets_started"} <= set(raw.columns):
        return None
    opened = pd.to_numeric(raw["tickets_open"], errors="coerce")
    started = pd.to_numeric(raw["tickets_started"], errors="coerce")
    return (opened / started.where(started > 0)).fillna(0.0)


def _too_short(frame: pd.DataFrame, first_post: tuple[int, ...], params: ItsParams, file: str | None) -> str | None:
    """Why only a descriptive before/after can be given (None: enough periods to fit). Fewer than
    MIN_PERIODS_HARD on a side is refused: that describes a few weeks, not a before and an after."""
    fitted = frame.loc[~frame["excluded"]]
    n_pre = int((fitted["t"] < first_post[0]).sum())
    n_post = int((fitted["t"] >= first_post[0]).sum())
    if n_pre < MIN_PERIODS_HARD or n_post < MIN_PERIODS_HARD:
        raise InputError(
            f"too few periods to fit or describe: {n_pre} before and {n_post} after the first intervention (after "
            f"blank rows and left-out periods); at least {MIN_PERIODS_HARD} on each side are needed for a descriptive "
            f"before/after, {params.min_periods_per_side} for a model",
            file=file,
            column=params.date_column,
            fix="supply more periods, move the intervention date, or shorten phase_in",
        )
    need = params.min_periods_per_side
    if n_pre >= need and n_post >= need:
        return None
    return (
        f"{n_pre} periods before and {n_post} after the first intervention are left to fit (after blank rows "
        f"and left-out periods); a trend needs at least {need} on each side, so only a descriptive before/after "
        "is given"
    )


def _check_fittable(frame: pd.DataFrame, params: ItsParams, file: str | None) -> None:
    fitted = frame.loc[~frame["excluded"]]
    for name in params.covariates:
        if fitted[name].nunique() < 2:
            raise InputError(
                f"the covariate '{name}' has the same value in every fitted period, so its effect cannot be "
                "separated from the intercept",
                file=file,
                column=name,
                fix="remove it from 'covariates' (a constant needs no adjustment)",
            )
    if params.control and fitted["control"].nunique() < 2:
        raise InputError(
            "the control series is constant",
            file=file,
            column=params.control,
            fix="choose a control series that varies, or remove 'control'",
        )


def _first_period_on_or_after(frame: pd.DataFrame, stamp: pd.Timestamp, frequency: str) -> int:
    """Period number of the first period starting on/after ``stamp``, counted on the date grid (so an
    intervention that falls in a missing period still lands on its own period number)."""
    first_date = frame["date"].iloc[0]
    t0 = int(frame["t"].iloc[0])
    if frequency == "day":
        k = (stamp - first_date).days
    elif frequency == "week":
        k = int(np.ceil((stamp - first_date).days / 7))
    elif frequency == "month":
        k = (stamp.year * 12 + stamp.month) - (first_date.year * 12 + first_date.month)
        if stamp.day > first_date.day:
            k += 1
    else:
        k = stamp.year - first_date.year
        if (stamp.month, stamp.day) > (first_date.month, first_date.day):
            k += 1
    return t0 + int(k)
