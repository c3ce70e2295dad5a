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
from ..io import first_bad_row, read_table
from .params import FromAnalysis, ItsParams

#: hard floor on either side of the (first) intervention; below MIN_PERIODS_WARN a warning is stated
MIN_PERIODS_HARD = 3
MIN_PERIODS_WARN = 8

FREQUENCIES = ("day", "week", "month", "year")


@dataclass(frozen=True)
class ItsData:
    """A checked series, ready for :func:`inbound_playbook.its.stats.fit_its`.

    ``frame`` has one row per period present in the file, in time order, with columns ``date``, ``t`` (period
    number counted by date, 0 at the first row), ``y``, each covariate under its own name, ``offset`` (when set),
    ``control`` (when set) and ``excluded`` (True for phase-in periods left out of the fit). Rows with a blank
    outcome, covariate, offset or control are dropped and counted in ``n_missing``.
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


def load_series(params: ItsParams) -> tuple[ItsData, pd.DataFrame]:
    """Read and check the configured series. Returns the checked data and the raw frame (strings for CSV)."""
    path = series_path(params)
    if path is None:
        raise InputError(
            "'series' is {from: baseline}, which only a full run can resolve",
            column="series",
            fix="run it with 'playbook run CONFIG' (the baseline's weekly table is passed on), or point 'series' at a file",
        )
    required = [params.date_column, params.outcome, *params.covariates]
    for name in (params.offset, params.control):
        if name:
            required.append(name)
    raw = read_table(path, required=list(dict.fromkeys(required)), what="ITS series")
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
                raise InputError("the dates could not be read as one calendar", file=file, column=column,
                                 fix="write dates as YYYY-MM-DD (e.g. 2026-05-04), one period start per row")
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
        raise InputError("weekly dates fall on different weekdays", file=file, column=column,
                         fix="date every week by the same weekday (the week's first day)")
    positions = pd.Series(t, index=ordered.index).reindex(dates.index).to_numpy()
    return frequency, positions.astype(int)


def prepare_series(raw: pd.DataFrame, params: ItsParams, *, source: str | None = None) -> ItsData:
    """Validate a raw series frame and build :class:`ItsData` (used by :func:`load_series` and by tests)."""
    file = source
    raw = raw.reset_index(drop=True)
    dates = _parse_dates(raw, params.date_column, file)
    duplicated = dates.duplicated(keep="first")
    if duplicated.any():
        row = first_bad_row(duplicated)
        raise InputError(
            f"the date {dates[duplicated].iloc[0].date()} appears twice",
            file=file,
            column=params.date_column,
            row=row,
            fix="keep one row per period (sum or recompute the duplicated period)",
        )
    frequency, t = infer_frequency(dates, file, params.date_column)

    frame = pd.DataFrame({"date": dates, "t": t, "_row": np.arange(len(raw)) + 2})
    frame["y"] = _numeric(raw, params.outcome, file)
    for name in params.covariates:
        if name in ("date", "t", "y", "offset", "control", "excluded"):
            raise InputError(f"the covariate name '{name}' is reserved", file=file, column=name,
                             fix="rename the column")
        frame[name] = _numeric(raw, name, file)
    if params.offset:
        frame["offset"] = _numeric(raw, params.offset, file)
    if params.control:
        frame["control"] = _numeric(raw, params.control, file)
    frame = frame.sort_values("t", kind="stable").reset_index(drop=True)

    used = ["y", *params.covariates] + (["offset"] if params.offset else []) + (["control"] if params.control else [])
    blank = frame[used].isna().any(axis=1)
    n_missing = int(blank.sum())
    frame = frame.loc[~blank].reset_index(drop=True)

    if params.family in ("poisson", "quasipoisson"):
        for column, label in (("y", params.outcome), ("control", params.control)):
            if column not in frame:
                continue
            values = frame[column]
            bad = (values < 0) | (values != np.round(values))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"{values.iloc[i]:g} is not a count (a whole number >= 0), which the {params.family} family needs",
                    file=file, column=label, row=int(frame["_row"].iloc[i]),
                    fix="model counts with poisson/quasipoisson, or use family: gaussian for durations and rates",
                )
    if params.offset:
        bad = frame["offset"] <= 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                "the offset must be positive (its logarithm enters the model)",
                file=file, column=params.offset, row=int(frame["_row"].iloc[i]),
                fix="use the population or exposure of each period (a number > 0)",
            )

    if frame.empty:
        raise InputError(
            "no row has all of the outcome, covariates, offset and control filled in",
            file=file, column=params.outcome, fix="fill in the blank cells, or remove columns you do not need",
        )
    first_post = []
    for date in params.interventions:
        stamp = pd.Timestamp(date)
        after = frame.index[frame["date"] >= stamp]
        if stamp <= frame["date"].iloc[0]:
            raise InputError(
                f"the intervention {date} is on or before the first period ({frame['date'].iloc[0].date()}), "
                "so there is no pre-period",
                file=file, column=params.date_column,
                fix="check the intervention date, or supply periods from before it",
            )
        if len(after) == 0:
            raise InputError(
                f"the intervention {date} is after the last period ({frame['date'].iloc[-1].date()}), "
                "so there is no post-period",
                file=file, column=params.date_column,
                fix="check the intervention date, or wait until periods after it are in the data",
            )
        first_post.append(int(_first_period_on_or_after(frame, stamp, frequency)))
    if len(set(first_post)) != len(first_post):
        raise InputError("two interventions fall in the same period", file=file, column=params.date_column,
                         fix="merge them into one intervention, or use a finer period")

    excluded = np.zeros(len(frame), dtype=bool)
    if params.phase_in:
        for t0 in first_post:
            excluded |= (frame["t"].to_numpy() >= t0) & (frame["t"].to_numpy() < t0 + params.phase_in)
    frame["excluded"] = excluded

    fitted = frame.loc[~frame["excluded"]]
    n_pre = int((fitted["t"] < first_post[0]).sum())
    n_post = int((fitted["t"] >= first_post[0]).sum())
    if n_pre < MIN_PERIODS_HARD or n_post < MIN_PERIODS_HARD:
        raise InputError(
            f"too few periods to fit: {n_pre} before and {n_post} after the first intervention (after dropping "
            f"blank rows and phase-in periods); at least {MIN_PERIODS_HARD} on each side are needed, "
            f"{MIN_PERIODS_WARN} or more to trust the result",
            file=file, column=params.date_column,
            fix="supply more periods, or shorten phase_in",
        )
    for name in params.covariates:
        if fitted[name].nunique() < 2:
            raise InputError(
                f"the covariate '{name}' has the same value in every fitted period, so its effect cannot be "
                "separated from the intercept",
                file=file, column=name,
                fix="remove it from 'covariates' (a constant needs no adjustment)",
            )
    if params.control and fitted["control"].nunique() < 2:
        raise InputError("the control series is constant", file=file, column=params.control,
                         fix="choose a control series that varies, or remove 'control'")
    return ItsData(
        frame=frame.drop(columns="_row"),
        first_post=tuple(first_post),
        intervention_dates=tuple(params.interventions),
        frequency=frequency,
        covariates=tuple(params.covariates),
        has_offset=bool(params.offset),
        has_control=bool(params.control),
        n_missing=n_missing,
        source=source,
        extra={"first_row": {int(t): int(r) for t, r in zip(frame["t"], frame["_row"])}},
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
