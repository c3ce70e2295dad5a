"""Reading and validating the survey file.

Accepted answers (DESIGN.md): blank = missing; integer-valued numbers (``4`` or ``4.0``) within
``scale_min..scale_max``; anything else raises ``InputError`` naming the file, the column and the first bad row.
Free text is redacted here, as soon as it is read (see ``text.redact``), so nothing downstream sees it unredacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import checked_frame, first_bad_row, read_table
from .instruments import NPS_SCALE, SUS_ITEM_SCALE
from .params import SurveyParams
from .text import redact

#: labels given to respondents who left the wave or group column blank
BLANK_LABEL = "(not given)"


@dataclass(frozen=True)
class ScaleItem:
    """One entry of a scale: the column and whether it is reverse-keyed (``-item`` in the config)."""

    item: str
    reverse: bool

    @classmethod
    def parse(cls, entry: str) -> ScaleItem:
        entry = entry.strip()
        return cls(item=entry.lstrip("-").strip(), reverse=entry.startswith("-"))

    def __str__(self) -> str:
        return ("-" if self.reverse else "") + self.item


@dataclass(frozen=True)
class SurveyData:
    """The validated survey: Likert answers as floats (NaN = blank); wave, group and redacted text as strings.

    ``frame`` is respondent-level and is never displayed or written; only aggregates leave this package.
    """

    frame: pd.DataFrame
    items: list[str]  # every summarised item, in file order: configured ones, then detected ones
    detected_items: list[str]  # items found automatically (params.items is null)
    scales: dict[str, list[ScaleItem]]
    file: Path
    wave: str | None  # column names in ``frame`` (None when not configured)
    group: str | None
    text: str | None
    instruments: dict[str, list[str]] = field(default_factory=dict)  # "sus" | "umux_lite" | "nps" -> columns


def configured_items(params: SurveyParams) -> list[str]:
    """The CSAT item (when set) and every scale item, without repeats, in config order."""
    items = [params.csat_item] if params.csat_item else []
    for entries in params.scales.values():
        items += [ScaleItem.parse(e).item for e in entries]
    items += list(params.items or [])
    return list(dict.fromkeys(items))


def instrument_items(params: SurveyParams) -> dict[str, tuple[list[str], tuple[int, int], str]]:
    """Standard questionnaires configured: name -> (columns, answer range, what the range is)."""
    found = {}
    if params.sus:
        found["sus"] = (list(params.sus), SUS_ITEM_SCALE, "SUS items are answered 1 to 5")
    if params.umux_lite:
        low, high = params.umux_lite_scale
        found["umux_lite"] = (
            list(params.umux_lite),
            (low, high),
            f"umux_lite_scale in the config says the UMUX-Lite items are answered {low} to {high}",
        )
    if params.nps_item:
        found["nps"] = ([params.nps_item], NPS_SCALE, "the likelihood-to-recommend item is answered 0 to 10")
    return found


def parse_likert(
    raw: pd.Series, *, low: int, high: int, file: Path, column: str, range_fix: str | None = None
) -> pd.Series:
    """Answers of one item as floats (NaN = blank); raises InputError at the first answer that is not allowed.

    ``range_fix`` replaces the advice given for an answer outside ``low..high``."""
    scale = f"{low}..{high}"
    if pd.api.types.is_bool_dtype(raw):
        raise InputError(
            f"answers are true/false, not codes {scale}",
            file=file,
            column=column,
            row=2,
            fix=f"export the answers as whole numbers {scale}",
        )
    if pd.api.types.is_numeric_dtype(raw):
        values = raw.astype("Float64").astype(float)
        blank = values.isna()
        unparsable = pd.Series(False, index=raw.index)
    else:
        text = raw.astype("string").str.strip()
        blank = text.isna() | (text == "")
        values = pd.to_numeric(text.where(~blank), errors="coerce").astype(float)
        unparsable = ~blank & values.isna()
    if unparsable.any():
        row = first_bad_row(unparsable)
        shown = str(raw.iloc[row - 2]).strip()
        raise InputError(
            f"answer '{shown}' is not a number (answers are whole numbers {scale}; leave a cell blank for no answer)",
            file=file,
            column=column,
            row=row,
            fix=f"replace it with a code {scale} or a blank",
        )
    numbers = values.to_numpy(dtype=float)
    finite = np.isfinite(numbers)
    safe = np.where(finite, numbers, 0.0)
    whole = pd.Series(~blank.to_numpy() & (~finite | (safe != np.round(safe))), index=raw.index)
    if whole.any():
        row = first_bad_row(whole)
        raise InputError(
            f"answer '{str(raw.iloc[row - 2]).strip()}' is not a whole number (answers are codes {scale})",
            file=file,
            column=column,
            row=row,
            fix="use whole-number codes; if the export averaged answers, export the raw answers instead",
        )
    outside = (~blank) & ((values < low) | (values > high))
    if outside.any():
        row = first_bad_row(outside)
        raise InputError(
            f"answer {values.iloc[row - 2]:g} is outside the declared scale {scale}",
            file=file,
            column=column,
            row=row,
            fix=range_fix or f"check scale_min and scale_max in the config, or recode the answers to {scale}",
        )
    return values


def _labels(raw: pd.Series) -> pd.Series:
    """Wave or group labels as trimmed strings; blanks become BLANK_LABEL. Whole numbers lose a trailing '.0'."""

    def one(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return BLANK_LABEL
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        text = str(value).strip()
        return text or BLANK_LABEL

    return raw.map(one).astype(object)


def _detect_items(frame: pd.DataFrame, exclude: set[str], low: int, high: int) -> list[str]:
    found = []
    for column in frame.columns:
        if column in exclude:
            continue
        raw = frame[column]
        if pd.api.types.is_bool_dtype(raw):
            continue
        values = (
            pd.to_numeric(raw.astype("string").str.strip(), errors="coerce")
            if not (pd.api.types.is_numeric_dtype(raw))
            else raw.astype("Float64").astype(float)
        )
        present = raw.notna() & (raw.astype("string").str.strip() != "")
        if not present.any() or values[present].isna().any():
            continue
        answered = values[present].astype(float)
        if ((answered == answered.round()) & (answered >= low) & (answered <= high)).all():
            found.append(column)
    return found


def load_survey(params: SurveyParams, responses: pd.DataFrame | None = None) -> SurveyData:
    """Read the responses file (or take the ``responses`` data frame) and validate every configured column; redact
    the free text."""
    file = Path(params.responses)
    items = configured_items(params)
    instruments = instrument_items(params)
    instrument_columns = [c for columns, _, _ in instruments.values() for c in columns]
    optional = [c for c in (params.wave_column, params.group_column, params.text_column) if c]
    _check_single_use(file, items, instrument_columns, optional)
    required = items + instrument_columns + optional
    raw = (
        read_table(file, required=required, what="survey")
        if responses is None
        else checked_frame(responses.reset_index(drop=True), file, required=required, what="survey")
    )
    _check_response_count(params, raw, file)
    detected: list[str] = []
    if params.items is None:
        exclude = set(items) | set(optional) | set(instrument_columns)
        detected = _detect_items(raw, exclude, params.scale_min, params.scale_max)
    all_items = items + detected
    if not all_items and not instruments:
        raise InputError(
            "no Likert item was found: the config names no csat_item, scale, item or questionnaire, and no other "
            f"column holds only whole numbers {params.scale_min}..{params.scale_max}",
            file=file,
            fix="name the items in the config (csat_item, scales, items, sus, umux_lite or nps_item)",
        )
    frame = _answers(params, raw, file, all_items, instruments)
    wave, group, text = _label_columns(params, raw, frame, file)
    return SurveyData(
        frame=frame,
        items=all_items,
        detected_items=detected,
        scales={name: [ScaleItem.parse(e) for e in entries] for name, entries in params.scales.items()},
        file=file,
        wave=wave,
        group=group,
        text=text,
        instruments={name: columns for name, (columns, _, _) in instruments.items()},
    )


def _check_response_count(params: SurveyParams, raw: pd.DataFrame, file: Path) -> None:
    """At least two responses, and no more per wave than were invited."""
    if len(raw) < 2:
        raise InputError(
            f"the survey has {len(raw)} response; at least 2 are needed for any summary (and more than "
            f"min_group_size = {params.min_group_size} for one that protects respondents)",
            file=file,
            row=2,
            fix="export every response, or wait for more responses",
        )
    if params.invited is None:
        return
    if params.wave_column:
        per_wave = raw[params.wave_column].astype("string").str.strip().value_counts()
        largest = per_wave.index[0] if len(per_wave) else None
        if largest is not None and per_wave.iloc[0] > params.invited:
            raise InputError(
                f"wave '{largest}' has {per_wave.iloc[0]} responses but 'invited' (per wave) is {params.invited}",
                file=file,
                column=params.wave_column,
                fix="set survey.invited to the number of people invited to each wave (or remove duplicate rows)",
            )
    elif len(raw) > params.invited:
        raise InputError(
            f"the file has {len(raw)} responses but 'invited' is {params.invited}",
            file=file,
            fix="set survey.invited to the number of people invited (or remove duplicate rows)",
        )


def _answers(params: SurveyParams, raw: pd.DataFrame, file: Path, items: list[str], instruments) -> pd.DataFrame:
    """The Likert items on the survey's scale and each questionnaire's items on its own scale, as numbers."""
    frame = pd.DataFrame(index=raw.index)
    for item in items:
        frame[item] = _answered(raw[item], params.scale_min, params.scale_max, file, item, None)
    for columns, (low, high), what in instruments.values():
        for column in columns:
            frame[column] = _answered(
                raw[column],
                low,
                high,
                file,
                column,
                f"{what}: recode the answers to {low}..{high}, or check the column name",
            )
    return frame


def _label_columns(
    params: SurveyParams, raw: pd.DataFrame, frame: pd.DataFrame, file: Path
) -> tuple[str | None, str | None, str | None]:
    """Add the wave, group and redacted free-text columns to ``frame``; return their names there (or None)."""
    wave = group = text = None
    if params.wave_column:
        wave = "__wave__"
        frame[wave] = _labels(raw[params.wave_column])
        blank = frame[wave] == BLANK_LABEL
        if blank.any():
            raise InputError(
                "the wave is blank",
                file=file,
                column=params.wave_column,
                row=first_bad_row(blank),
                fix="fill in the wave of every response (or drop the response)",
            )
    if params.group_column:
        group = "__group__"
        frame[group] = _labels(raw[params.group_column])
    if params.text_column:
        text = "__text__"
        values = raw[params.text_column].astype("string").fillna("").str.strip()
        frame[text] = [redact(str(v)) for v in values]
    return wave, group, text


def _answered(raw: pd.Series, low: int, high: int, file: Path, column: str, range_fix: str | None) -> pd.Series:
    values = parse_likert(raw, low=low, high=high, file=file, column=column, range_fix=range_fix)
    if values.notna().sum() == 0:
        raise InputError(
            "the item has no answers at all",
            file=file,
            column=column,
            fix="check the column name in the config and that the export includes the answers",
        )
    return values


def _check_single_use(file: Path, items: list[str], instrument_columns: list[str], optional: list[str]) -> None:
    """A column is a Likert item, a questionnaire item, or the wave, group or text column: one of them only."""
    for column in optional:
        if column in items or column in instrument_columns:
            raise InputError(
                f"column '{column}' is configured both as an item and as the wave, group or text column",
                file=file,
                column=column,
                fix="use it for one purpose only",
            )
    for column in instrument_columns:
        if column in items:
            raise InputError(
                f"column '{column}' is configured both as a Likert item (csat_item, scales or items) and as an item "
                "of a standard questionnaire (sus, umux_lite or nps_item)",
                file=file,
                column=column,
                fix="use it for one purpose only: questionnaire items are scored by their own rules",
            )
