"""Inputs of the feasibility check: the baseline's ticket intervals, clustered by agent, when SD or ICC is not given.

The intervals come from ``inbound_playbook.baseline.load.ticket_intervals`` so the check runs on exactly the data the
baseline reports (same pairing of start and end steps, same time zone handling). Each ticket's agent follows the
baseline's ``agent_rule``, and ``exclude_agents`` keeps system accounts out: otherwise an automation account that
touches every ticket last would make the ICC measure that account, not people. Tickets closed without the end step
are left out, as in the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..baseline.params import BaselineParams
from ..errors import InputError
from ..params import RunContext

#: columns of the frame the estimators use
CLUSTER = "agent"
VALUE = "hours"


def baseline_params(section: BaselineParams | Mapping[str, Any] | None) -> BaselineParams:
    """The baseline section as parameters; a clear error when it is missing or invalid."""
    if section is None:
        raise InputError(
            "metric_sd or icc is null, so they are estimated from the baseline, but there is no baseline section",
            file="feasibility",
            fix="add a baseline section (with agent_column) to the config, or give metric_sd and icc in the "
            "feasibility section",
        )
    if isinstance(section, BaselineParams):
        return section
    try:
        return BaselineParams.model_validate(dict(section))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"the baseline section used for the feasibility estimate is invalid: '{where}': "
            f"{first['msg'].removeprefix('Value error, ')}",
            file="baseline",
            fix="correct the baseline section of the config",
        ) from None


def clustered_hours(intervals: pd.DataFrame, *, file: str, column: str) -> pd.DataFrame:
    """Completed tickets with an agent: columns ``agent`` and ``hours``. At least 2 agents, one with 2+ tickets.

    ``file`` and ``column`` name the user's event file and agent column in error messages.
    """
    if CLUSTER not in intervals.columns:
        raise InputError(
            "the baseline intervals have no agent column",
            file=file,
            column=column,
            fix="set agent_column in the baseline section to the column naming who handled each ticket",
        )
    done = intervals.loc[intervals["completed"].astype(bool) & intervals[CLUSTER].notna(), [CLUSTER, VALUE]]
    done = done[np.isfinite(done[VALUE].astype(float))]
    frame = pd.DataFrame({CLUSTER: done[CLUSTER].astype(str).to_numpy(), VALUE: done[VALUE].astype(float).to_numpy()})
    agents = frame[CLUSTER].nunique()
    if agents < 2:
        raise InputError(
            f"only {agents} agent(s) have completed tickets (start and end step), and estimating the ICC needs at "
            "least 2",
            file=file,
            column=column,
            fix="check that the agent column is filled on the rows of completed tickets (and that exclude_agents "
            "does not match people), or give metric_sd and icc in the feasibility section",
        )
    if len(frame) <= agents:
        raise InputError(
            "every agent has a single completed ticket, so the spread within an agent cannot be estimated",
            file=file,
            column=column,
            fix="use a longer baseline window, or give metric_sd and icc in the feasibility section",
        )
    return frame


def load_clustered_hours(section: BaselineParams | Mapping[str, Any] | None, context: RunContext) -> pd.DataFrame:
    """Read the baseline's ticket intervals and keep completed tickets with an agent (hours per ticket)."""
    params = baseline_params(section)
    if params.agent_column is None:
        raise InputError(
            "metric_sd or icc is null, so they are estimated per agent from the baseline, but the baseline section "
            "has no agent_column",
            file=params.events,
            fix="set agent_column in the baseline section (e.g. agent_id), or give metric_sd and icc in the "
            "feasibility section",
        )
    from ..baseline.load import ticket_intervals  # the baseline's reader (same pairing rules as its report)

    intervals = ticket_intervals(params, context)
    return clustered_hours(intervals, file=params.events, column=params.agent_column)
