"""The Python API: each analysis as one function over pandas data frames, returning its typed result.

>>> import inbound_playbook as ip
>>> result = ip.baseline(events, start_step="Evidence received", end_step="Resolution proposed")  # doctest: +SKIP
>>> result.to_dict()["median"], result.summary, result.plot()  # doctest: +SKIP

Option names are the keys of the analysis's section in ``team.yml`` (see the config reference), validated by the
same pydantic models, so a misspelt or bad option gives the same message as in a config. The functions call the
same ``analyse`` (or, for the ITS, ``run``) as the notebooks, with the data frames in place of the files, so a
result's ``to_dict()`` equals the ``results.json`` a ``playbook run`` on the same data writes. Nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .config import TeamConfig, _format_validation_error
from .params import RunContext

if TYPE_CHECKING:  # the analyses import pandas, DuckDB, statsmodels and matplotlib: only when called
    import pandas as pd

    from .baseline.analysis import BaselineResult
    from .feasibility.analysis import FeasibilityResult
    from .its.analysis import ItsResult
    from .survey.analysis import SurveyResult

DEFAULT_SEED = RunContext.seed

__all__ = ["baseline", "survey", "its", "feasibility"]


def _settings(analysis: str, options: dict[str, Any], *, timezone: str = "UTC", seed: int = DEFAULT_SEED):
    """The section's parameters and the run context, validated as a config with that one section would be."""
    try:
        config = TeamConfig.model_validate(
            {"team": "python-api", "timezone": timezone, "seed": seed, analysis: options}
        )
    except ValidationError as exc:
        raise _format_validation_error(f"inbound_playbook.{analysis}()", exc) from None
    return getattr(config, analysis), config.context()


def baseline(
    events: pd.DataFrame,
    start_step: str | list[str],
    end_step: str | list[str],
    *,
    staffing: pd.DataFrame | None = None,
    timezone: str = "UTC",
    seed: int = DEFAULT_SEED,
    **options: Any,
) -> BaselineResult:
    """How long ``start_step`` to ``end_step`` takes per ticket, with open tickets censored, and per week.

    Parameters
    ----------
    events : pandas.DataFrame
        The event log: one row per event, columns ``ticket_id``, ``step``, ``timestamp`` (or the team's own names,
        mapped with ``columns={...}``; a wide export with ``step_columns={...}``).
    start_step, end_step : str or list of str
        The steps whose interval is measured (several names: any of them).
    staffing : pandas.DataFrame, optional
        Staffed hours per week (columns ``week``, ``staffed_hours``).
    timezone : str
        IANA zone in which timestamps without a UTC offset are wall time.
    seed : int
        Seed of the bootstrap intervals.
    **options
        Any other key of the config's ``baseline`` section: ``sla_hours``, ``compare_at``, ``outcome_column``,
        ``workflow_start_step``, ``first_response_step``, ``segment_column``, ``agent_column``, ``business_hours``, ...

    Returns
    -------
    BaselineResult
        ``to_dict()`` (results.json), ``summary``, ``plot()``, ``weekly`` (the weekly table) and ``tables``.

    Raises
    ------
    InputError
        A bad option, or data that cannot be read, naming the column and the first bad row.
    """
    from .baseline.analysis import analyse
    from .baseline.frames import FRAME_NAME, STAFFING_NAME, events_from_frame, staffing_from_frame

    values = {
        "events": FRAME_NAME,
        "start_step": start_step,
        "end_step": end_step,
        "staffing": None if staffing is None else STAFFING_NAME,
        **options,
    }
    params, context = _settings("baseline", values, timezone=timezone, seed=seed)
    log = events_from_frame(events, params, context.timezone)
    table = None if staffing is None else staffing_from_frame(staffing, params.week_start)
    return analyse(params, context, draw=False, log=log, staffing=table)


def survey(
    responses: pd.DataFrame, scale_min: int, scale_max: int, *, seed: int = DEFAULT_SEED, **options: Any
) -> SurveyResult:
    """Item, CSAT, scale and questionnaire summaries of a survey, per wave and group, with small groups hidden.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent, one column per item (codes ``scale_min`` .. ``scale_max``).
    scale_min, scale_max : int
        The codes of the Likert scale's ends.
    seed : int
        Seed of the bootstrap intervals and of the quotes drawn.
    **options
        Any other key of the config's ``survey`` section: ``csat_item``, ``scales``, ``wave_column``,
        ``group_column``, ``min_group_size``, ``text_column``, ``invited``, ``sus``, ``nps_item``, ...

    Returns
    -------
    SurveyResult
        ``to_dict()`` (results.json), ``summary``, ``plot()`` and ``tables``.
    """
    from .survey.analysis import analyse

    values = {"responses": "responses (data frame)", "scale_min": scale_min, "scale_max": scale_max, **options}
    params, context = _settings("survey", values, seed=seed)
    return analyse(params, context, responses=responses)


def its(series: pd.DataFrame, date_column: str, outcome: str, interventions: list[Any], **options: Any) -> ItsResult:
    """Interrupted time series: the change in level (and slope) of ``outcome`` at each intervention.

    Parameters
    ----------
    series : pandas.DataFrame
        One row per period (e.g. the baseline's ``weekly`` table).
    date_column : str
        The column of period dates.
    outcome : str
        The column modelled.
    interventions : list
        Dates (``"2026-05-04"``) or ``{"date": ..., "end": ...}`` for temporary changes.
    **options
        Any other key of the config's ``its`` section: ``covariates``, ``family``, ``slope_change``,
        ``seasonality``, ``hac_maxlags``, ``phase_in``, ``placebo``, ...

    Returns
    -------
    ItsResult
        ``to_dict()`` (results.json), ``summary``, ``plot()``, and the fit.
    """
    from .its.analysis import run

    values = {
        "series": "series (data frame)",
        "date_column": date_column,
        "outcome": outcome,
        "interventions": interventions,
        **options,
    }
    params, _ = _settings("its", values)
    return run(params, series)


def feasibility(
    *, intervals: pd.DataFrame | None = None, seed: int = DEFAULT_SEED, **options: Any
) -> FeasibilityResult:
    """Can an A/B test of the change work for this team, and which design to use instead.

    Parameters
    ----------
    intervals : pandas.DataFrame, optional
        Per-ticket intervals (columns ``agent``, ``hours``, ``completed``, e.g. from
        ``inbound_playbook.baseline.load.ticket_intervals``) from which a null ``metric_sd`` or ``icc`` is
        estimated.
    seed : int
        Seed of the bootstrap intervals of the estimates.
    **options
        The keys of the config's ``feasibility`` section: ``users``, ``units_per_user_per_week``,
        ``minimum_effect``, ``weeks_available``, ``metric_sd``, ``icc``, ``shared_queue``, ...

    Returns
    -------
    FeasibilityResult
        ``to_dict()`` (results.json), ``summary``, ``plot()``, ``decision`` and ``tables``.

    Raises
    ------
    InputError
        ``metric_sd`` or ``icc`` left out (null) without ``intervals`` to estimate them from.
    """
    from .feasibility.analysis import analyse

    params, context = _settings("feasibility", options, seed=seed)
    return analyse(params, context, intervals=intervals)
