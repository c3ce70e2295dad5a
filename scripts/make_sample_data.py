"""Make the synthetic sample team: a disputes-support team at an online marketplace.

The story
---------
A support team handles post-purchase disputes ("the parcel never came", "it is not what the listing said").
On Monday 2026-05-04 (week index 50 of the 78-week window) the team's internal tool changes, and the step an
agent spends between "Evidence received" and "Resolution proposed" gets markedly shorter. At the same time, for
reasons outside the team, ticket volume keeps rising and staffed hours keep falling: the queue in front of the
agents grows. The whole-workflow number the team is judged by ("Ticket created" to "Closed") barely moves, so
the improvement is invisible unless you baseline the one step the tool touches, adjust for volume and staffing,
and ask the agents. That is the story the playbook's chapters and notebooks tell on this data.

The generative model (planted parameters: the constants below, all written to TRUTH.json)
----------------------------------------------------------------------------------------
Time is naive local wall time (Asia/Singapore). Week w = 0..77 starts on Monday WINDOW_START + 7 w days.

* Volume: tickets opened in week w ~ Poisson(lambda_w), lambda_w rising linearly from TICKETS_FIRST_WEEK to
  TICKETS_LAST_WEEK times a mild yearly cycle (1 + SEASONAL_AMPLITUDE cos(2 pi (day - SEASONAL_PEAK) / 365.25)).
  Within the week, a ticket's weekday and hour follow WEEKDAY_WEIGHTS and HOUR_WEIGHTS, the second is uniform.
* Staffing: staffed_hours_w = a straight line from STAFFED_HOURS_FIRST_WEEK to STAFFED_HOURS_LAST_WEEK plus
  N(0, STAFFING_NOISE_SD), rounded to the half hour (staffing.csv). The rounded value is the one the model uses.
* Every step duration is lognormal: hours = median * exp(sigma * Z), Z standard normal, independent steps.
    Ticket created -> Agent assigned       queue wait, median QUEUE_BASE_HOURS + QUEUE_HOURS_PER_LOAD * load_w,
                                           load_w = tickets opened / staffed hours of the week the ticket opened
    Agent assigned -> Evidence requested   short, median ASSIGN_TO_REQUEST_MEDIAN_HOURS
    Evidence requested -> Evidence received the customer's reply: long, skewed, not touched by the tool
    Evidence received -> Resolution proposed  THE STEP (X -> Y). For week v in which "Evidence received" happens:
        m_v = STEP_INTERCEPT_HOURS + STEP_HOURS_PER_TICKET_STARTED * tickets_started_v
              + STEP_HOURS_PER_STAFFED_HOUR * staffed_hours_v + LEVEL_CHANGE_HOURS * post_v
      where tickets_started_v counts the tickets whose "Evidence received" falls in week v (the load arriving at
      the step, and the column the baseline's weekly table reports) and post_v = 1 from week 50. A ticket's
      duration is m_v * exp(u_agent) * exp(STEP_SIGMA * Z), u_agent ~ N(0, tau^2) once per agent, tau chosen so
      the intraclass correlation of log duration across agents is STEP_ICC: tau^2 / (tau^2 + sigma^2).
      Marginally over agents the duration is lognormal with median m_v: the weekly median is linear in the
      covariates and the intervention, which is what the ITS notebook fits. No slope change is planted.
    Resolution proposed -> Closed          the customer accepts: median ACCEPT_MEDIAN_HOURS
  Durations are rounded to whole seconds (at least one), so a ticket's events are strictly increasing in time.
* Censoring: the log is extracted at EXTRACTED_AT; events at or after that instant do not exist, so tickets
  opened near the end are still open (their later events are absent, and unassigned ones have no agent_id).
* category and outcome are drawn with fixed shares, independent of everything else. The outcome is recorded
  only on the "Closed" row, and only when the ticket closed on/after OUTCOME_RECORDING_START (the team started
  recording it then); it is null everywhere else.
* Survey (two waves, before and after the change): each respondent has a latent satisfaction z ~ N(mu_wave, 1);
  an item's answer is a latent response (loading * z + N(0, ITEM_NOISE_VAR)) cut into 1..5 at fixed cut points.
  q_clicks loads negatively (it is reverse-keyed in the ease scale); the trust items load on a trust latent
  correlated with z. mu_wave and the q_overall cut points are solved so that the population top-2-box share
  (CSAT) is exactly CSAT_BY_WAVE; the population ease-scale means follow in closed form. Some answers are blank.
  Free-text pain points come from templates; about PII_SHARE of the answers carry a planted e-mail address,
  phone number or order number, which the product must redact before display.

TRUTH.json holds every planted parameter, the population medians of the step and of the whole workflow before
and after the change (the step's from the exact weekly lognormal mixture, solved with brentq; the whole
workflow's from a seeded Monte Carlo sample of the same model, since a sum of lognormals has no closed form),
and, labelled as realised, the same medians computed with plain pandas from the generated files.

Usage: python scripts/make_sample_data.py [--out DIR] [--seed N]   (default out: data/sample-team)
The same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import optimize, stats

# --------------------------------------------------------------------------------------------------------------
# Planted parameters: the only place they are set. Everything here is written to TRUTH.json.
# --------------------------------------------------------------------------------------------------------------
DEFAULT_SEED = 20260504
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "sample-team"

TIMEZONE = "Asia/Singapore"
WINDOW_START = np.datetime64("2025-05-19T00:00:00", "s")  # Monday of week 0
N_WEEKS = 78  # last week: Monday 2026-11-09 .. Sunday 2026-11-15
INTERVENTION_WEEK = 50  # Monday 2026-05-04: the tool change
EXTRACTED_AT = np.datetime64("2026-11-16T00:00:00", "s")
OUTCOME_RECORDING_START = np.datetime64("2026-01-05T00:00:00", "s")

STEPS = (
    "Ticket created",
    "Agent assigned",
    "Evidence requested",
    "Evidence received",
    "Resolution proposed",
    "Closed",
)
STEP_START, STEP_END = "Evidence received", "Resolution proposed"  # the step the tool changes (X -> Y)
WORKFLOW_START, WORKFLOW_END = "Ticket created", "Closed"

# volume
TICKETS_FIRST_WEEK = 300.0  # expected tickets opened in week 0 (before the yearly cycle)
TICKETS_LAST_WEEK = 480.0  # ... and in week 77
SEASONAL_AMPLITUDE = 0.06  # relative; disputes peak after the year-end shopping season
SEASONAL_PEAK = np.datetime64("2026-01-05", "D")
WEEKDAY_WEIGHTS = (0.170, 0.165, 0.160, 0.155, 0.150, 0.105, 0.095)  # Monday .. Sunday
HOUR_WEIGHTS = (  # 00:00 .. 23:00 local: quiet at night, busy office hours, an evening bump after work
    1.2, 0.6, 0.35, 0.25, 0.25, 0.35, 0.8, 1.6, 2.8, 4.0, 4.8, 5.0,
    4.6, 4.6, 4.8, 4.6, 4.3, 4.0, 4.0, 4.4, 4.8, 4.4, 3.2, 2.0,
)  # fmt: skip

# staffing (hours the team is staffed per week)
STAFFED_HOURS_FIRST_WEEK = 1200.0
STAFFED_HOURS_LAST_WEEK = 900.0
STAFFING_NOISE_SD = 25.0
STAFFING_ROUND_TO = 0.5

# Ticket created -> Agent assigned: the queue grows with load (tickets opened per staffed hour)
QUEUE_BASE_HOURS = 1.0
QUEUE_HOURS_PER_LOAD = 36.0
QUEUE_SIGMA = 0.8
# Agent assigned -> Evidence requested
ASSIGN_TO_REQUEST_MEDIAN_HOURS = 1.5
ASSIGN_TO_REQUEST_SIGMA = 0.7
# Evidence requested -> Evidence received: the customer's reply, independent of the tool
CUSTOMER_REPLY_MEDIAN_HOURS = 36.0
CUSTOMER_REPLY_SIGMA = 0.9
# Evidence received -> Resolution proposed: the step (X -> Y), linear weekly median
STEP_INTERCEPT_HOURS = 19.7
STEP_HOURS_PER_TICKET_STARTED = 0.012
STEP_HOURS_PER_STAFFED_HOUR = -0.004
LEVEL_CHANGE_HOURS = -6.0
SLOPE_CHANGE_HOURS_PER_WEEK = 0.0
STEP_SIGMA = 0.6  # within-agent sigma of log hours
STEP_ICC = 0.05  # share of the variance of log hours that lies between agents
STEP_TAU = STEP_SIGMA * math.sqrt(STEP_ICC / (1.0 - STEP_ICC))  # sd of the agent effect u_agent
# Resolution proposed -> Closed: the customer accepts
ACCEPT_MEDIAN_HOURS = 30.0
ACCEPT_SIGMA = 0.8

N_AGENTS = 70
AGENT_WORKLOAD_CONCENTRATION = 20.0  # agents' shares of tickets ~ Dirichlet(this, ..., this): mildly unequal

CATEGORY_SHARES = {
    "Item not received": 0.38,
    "Not as described": 0.30,
    "Damaged item": 0.20,
    "Wrong item": 0.12,
}
OUTCOME_SHARES = {
    "Return & Refund": 0.42,
    "Partial Refund": 0.26,
    "Exchange of Goods": 0.14,
    "Rejected": 0.18,
}

# survey
SURVEY_INVITED = 72
SURVEY_WAVES = ("2026-04", "2026-09")  # before and after the change
SURVEY_RESPONDENTS = {  # per wave, per role (Quality analyst stays below min_group_size 5)
    "2026-04": {"Agent": 36, "Senior agent": 12, "Team lead": 6, "Quality analyst": 4},
    "2026-09": {"Agent": 39, "Senior agent": 13, "Team lead": 6, "Quality analyst": 3},
}
CSAT_BY_WAVE = {"2026-04": 0.40, "2026-09": 0.70}  # population top-2-box share of q_overall
LATENT_MEAN_FIRST_WAVE = 0.0
ITEM_NOISE_VAR = 0.45  # variance of an item's own noise around loading * latent
TRUST_LATENT_CORRELATION = 0.6  # trust latent = r z + sqrt(1 - r^2) N(0, 1)
ITEMS = {  # item: (latent it loads on, loading, cut points between answers 1|2, 2|3, 3|4, 4|5)
    "q_overall": ("satisfaction", 1.0, None),  # cut points solved from CSAT_BY_WAVE
    "q_find": ("satisfaction", 0.9, (-1.7, -0.7, 0.35, 1.45)),
    "q_fast": ("satisfaction", 0.9, (-1.6, -0.6, 0.45, 1.55)),
    "q_clicks": ("satisfaction", -0.9, (-1.55, -0.45, 0.6, 1.6)),  # "I need too many clicks": reverse-keyed
    "q_reliable": ("trust", 1.0, (-2.0, -1.0, 0.0, 1.1)),
    "q_accurate": ("trust", 1.0, (-2.1, -1.1, -0.1, 1.0)),
    "q_training": ("satisfaction", 0.3, (-1.6, -0.6, 0.4, 1.4)),
}
OVERALL_CUT_SPACING = 1.0  # q_overall cut points: top-2-box cut c, then c - 2, c - 1, c + 1
EASE_ITEMS = ("q_find", "q_fast", "-q_clicks")
TRUST_ITEMS = ("q_reliable", "q_accurate")
LIKERT_MIN, LIKERT_MAX = 1, 5
ITEM_MISSING_SHARE = 0.03
TEXT_BLANK_SHARE = 0.2
PII_SHARE = 0.10  # of the non-blank free-text answers (at least one answer per planted string)

PAIN_POINT_SENTENCES = (
    "Search is slow when I look up an old dispute.",
    "Searching by buyer name almost never finds the right case.",
    "I need too many clicks to get from the ticket to the order history.",
    "Proposing a resolution takes five screens and a lot of clicking.",
    "I copy and paste between the dispute tool and the payments system all day.",
    "Refund amounts have to be typed twice, once in each system.",
    "Evidence attachments are hard to open; photos download instead of showing inline.",
    "Customers send evidence by e-mail and I have to attach it to the ticket by hand.",
    "Large video attachments fail to upload.",
    "The macros are out of date and I rewrite most replies anyway.",
    "There is no macro for partial refunds.",
    "Training on the new screens was one slide deck; I learnt by trial and error.",
    "New joiners take weeks to find their way around the tool.",
    "The tool crashes when two of us open the same ticket.",
    "Saving a resolution sometimes times out and I lose what I typed.",
    "The page freezes on Monday mornings when the queue is long.",
    "I cannot see which evidence the customer already sent.",
    "Status labels do not match what the customer sees.",
    "Filters reset every time I go back to the queue.",
    "Too many tabs open at once; I lose track of which case is which.",
    "Much better since the new evidence panel, but search is still slow.",
    "The side-by-side evidence view saves me a lot of time.",
)
PII_EMAILS = ("mei.lin.tan@example.com", "raj.kumar@example.org", "s.wong88@example.net")
PII_PHONES = ("+65 9123 4567", "+65 8765 4321", "(415) 555-0132", "+1 415 555 0187")
PII_ORDER_NUMBERS = 3  # order numbers: 12-digit runs starting with the year and month
PII_ORDER_DIGITS = 12
ORDER_NUMBER_PREFIX = "202604"
PII_SENTENCES = {
    "email": ("Happy to show you, write to me at {}.", "Please copy {} when you follow up."),
    "phone": ("Call me on {} if you want to see it live.", "You can reach me on {} any afternoon."),
    "order": (
        "For example order {} took three tries to attach the photos.",
        "See order {}, the refund went out twice.",
    ),
}

# population (Monte Carlo) computations
WORKFLOW_MC_DRAWS = 2_000_000  # per period

TEAM_YML = """\
# Generated by scripts/make_sample_data.py: edit the script, not this file.
# The synthetic sample team the book and the notebooks run on (see TRUTH.json for the planted effects).
team: sample-disputes
title: "Disputes support (synthetic sample team)"
timezone: Asia/Singapore
seed: 20260504

baseline:
  events: events.parquet
  columns: {ticket_id: ticket_id, step: step, timestamp: timestamp}
  start_step: Evidence received
  end_step: Resolution proposed
  sla_hours: 24
  outcome_column: outcome
  staffing: staffing.csv
  week_start: monday
  workflow_start_step: Ticket created
  workflow_end_step: Closed
  first_response_step: Evidence requested   # the agent's first message to the buyer and the seller
  first_response_hours: 24
  compare_at: "2026-05-04"
  agent_column: agent_id
  segment_column: category

survey:
  responses: survey.csv
  scale_min: 1
  scale_max: 5
  csat_item: q_overall
  scales: {ease: [q_find, q_fast, -q_clicks], trust: [q_reliable, q_accurate]}
  wave_column: wave
  group_column: role
  min_group_size: 5
  text_column: pain_points
  invited: 72

its:
  series: {from: baseline}
  date_column: week
  outcome: median_hours
  interventions: ["2026-05-04"]
  covariates: [staffed_hours, tickets_started]
  family: gaussian
  slope_change: true
  hac_maxlags: auto

feasibility:
  users: 70
  units_per_user_per_week: 6
  metric_sd: null
  minimum_effect: 2.0
  icc: null
  weeks_available: 8
  alpha: 0.05
  power: 0.8
  shared_queue: true           # agents pull disputes from one queue
  knowledge_sharing: true      # macros and tips travel between agents; team leads coach everyone
  fairness_concerns: false
  everyone_gets_change: true   # the new tool replaces the old one for all agents
  has_stable_pre_period: 50    # weeks of history before the change
"""

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
EXTRACTED_AT_SECONDS = int((EXTRACTED_AT - WINDOW_START) / np.timedelta64(1, "s"))
OUTCOME_START_SECONDS = int((OUTCOME_RECORDING_START - WINDOW_START) / np.timedelta64(1, "s"))

PARQUET_ZSTD_LEVEL = 9
PARQUET_DICTIONARY_COLUMNS = ["step", "agent_id", "category", "outcome"]  # few distinct values each
EVENTS_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("step", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("agent_id", pa.string()),
        ("category", pa.string()),
        ("outcome", pa.string()),
    ]
)


# --------------------------------------------------------------------------------------------------------------
# Weekly trajectories
# --------------------------------------------------------------------------------------------------------------
def week_mondays() -> np.ndarray:
    return WINDOW_START.astype("datetime64[D]") + 7 * np.arange(N_WEEKS)


def expected_tickets_opened() -> np.ndarray:
    """lambda_w: linear trend times a mild yearly cycle, evaluated at each week's Thursday."""
    trend = np.linspace(TICKETS_FIRST_WEEK, TICKETS_LAST_WEEK, N_WEEKS)
    days_from_peak = ((week_mondays() + 3) - SEASONAL_PEAK).astype(float)
    return trend * (1.0 + SEASONAL_AMPLITUDE * np.cos(2.0 * np.pi * days_from_peak / 365.25))


def staffed_hours_trend() -> np.ndarray:
    return np.linspace(STAFFED_HOURS_FIRST_WEEK, STAFFED_HOURS_LAST_WEEK, N_WEEKS)


def post_indicator(weeks: np.ndarray) -> np.ndarray:
    return (weeks >= INTERVENTION_WEEK).astype(float)


def queue_median_hours(tickets_opened: np.ndarray, staffed_hours: np.ndarray) -> np.ndarray:
    return QUEUE_BASE_HOURS + QUEUE_HOURS_PER_LOAD * tickets_opened / staffed_hours


def step_median_hours(tickets_started: np.ndarray, staffed_hours: np.ndarray, post: np.ndarray) -> np.ndarray:
    """The planted weekly median m_v of Evidence received -> Resolution proposed (linear)."""
    return (
        STEP_INTERCEPT_HOURS
        + STEP_HOURS_PER_TICKET_STARTED * tickets_started
        + STEP_HOURS_PER_STAFFED_HOUR * staffed_hours
        + LEVEL_CHANGE_HOURS * post
    )


def lognormal_hours(rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int) -> np.ndarray:
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(size))


def to_seconds(hours: np.ndarray) -> np.ndarray:
    """Whole seconds, at least one, so a ticket's events are strictly ordered."""
    return np.maximum(1, np.rint(hours * SECONDS_PER_HOUR)).astype(np.int64)


def draw_opening_offsets(rng: np.random.Generator, weeks: np.ndarray) -> np.ndarray:
    """Seconds from WINDOW_START at which each ticket opens, given its week (weekday x hour-of-day pattern)."""
    n = weeks.size
    weekday = rng.choice(7, size=n, p=np.asarray(WEEKDAY_WEIGHTS) / sum(WEEKDAY_WEIGHTS))
    hour = rng.choice(24, size=n, p=np.asarray(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS))
    second = rng.integers(0, SECONDS_PER_HOUR, size=n)
    return weeks * SECONDS_PER_WEEK + weekday * SECONDS_PER_DAY + hour * SECONDS_PER_HOUR + second


# --------------------------------------------------------------------------------------------------------------
# The event log
# --------------------------------------------------------------------------------------------------------------
def generate_tickets(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Draw every ticket's full (uncensored) history. Returns the per-ticket frame and the weekly arrays."""
    tickets_opened = rng.poisson(expected_tickets_opened())
    staffed = staffed_hours_trend() + rng.normal(0.0, STAFFING_NOISE_SD, N_WEEKS)
    staffed = np.round(staffed / STAFFING_ROUND_TO) * STAFFING_ROUND_TO

    open_week = np.repeat(np.arange(N_WEEKS), tickets_opened)
    created = draw_opening_offsets(rng, open_week)
    order = np.argsort(created, kind="stable")  # ticket ids follow opening time
    open_week, created = open_week[order], created[order]
    n = created.size

    category = rng.choice(len(CATEGORY_SHARES), size=n, p=list(CATEGORY_SHARES.values()))
    outcome = rng.choice(len(OUTCOME_SHARES), size=n, p=list(OUTCOME_SHARES.values()))
    agent_share = rng.dirichlet(np.full(N_AGENTS, AGENT_WORKLOAD_CONCENTRATION))
    agent = rng.choice(N_AGENTS, size=n, p=agent_share)
    agent_effect = rng.normal(0.0, STEP_TAU, N_AGENTS)

    queue = lognormal_hours(rng, queue_median_hours(tickets_opened, staffed)[open_week], QUEUE_SIGMA, n)
    assigned = created + to_seconds(queue)
    requested = assigned + to_seconds(lognormal_hours(rng, ASSIGN_TO_REQUEST_MEDIAN_HOURS, ASSIGN_TO_REQUEST_SIGMA, n))
    received = requested + to_seconds(lognormal_hours(rng, CUSTOMER_REPLY_MEDIAN_HOURS, CUSTOMER_REPLY_SIGMA, n))

    # the step's weekly median depends on the week in which "Evidence received" happens
    start_week = received // SECONDS_PER_WEEK
    in_window = start_week < N_WEEKS
    tickets_started = np.bincount(start_week[in_window], minlength=N_WEEKS)
    weeks = np.arange(N_WEEKS)
    step_median = step_median_hours(tickets_started, staffed, post_indicator(weeks))
    # tickets whose step starts after the extraction are censored anyway; they use the last week's median
    ticket_step_median = step_median[np.minimum(start_week, N_WEEKS - 1)]
    step_hours = lognormal_hours(rng, ticket_step_median * np.exp(agent_effect[agent]), STEP_SIGMA, n)
    proposed = received + to_seconds(step_hours)
    closed = proposed + to_seconds(lognormal_hours(rng, ACCEPT_MEDIAN_HOURS, ACCEPT_SIGMA, n))

    tickets = pd.DataFrame(
        {
            "open_week": open_week,
            "category": category,
            "outcome": outcome,
            "agent": agent,
            **dict(zip(STEPS, (created, assigned, requested, received, proposed, closed), strict=False)),
        }
    )
    weekly = {
        "tickets_opened": tickets_opened,
        "expected_tickets_opened": expected_tickets_opened(),
        "staffed_hours": staffed,
        "tickets_started": tickets_started,
        "queue_median_hours": queue_median_hours(tickets_opened, staffed),
        "step_median_hours": step_median,
        "agent_effect": agent_effect,
        "agent_share": agent_share,
    }
    return tickets, weekly


def events_table(tickets: pd.DataFrame) -> pa.Table:
    """Long event log: one row per ticket event before the extraction instant, sorted by ticket then time."""
    n = len(tickets)
    times = tickets[list(STEPS)].to_numpy()  # (n, 6) seconds from WINDOW_START, increasing along each row
    exists = times < EXTRACTED_AT_SECONDS
    ticket_idx, step_idx = np.nonzero(exists)  # row-major: ticket order, then step order (= time order)
    seconds = times[ticket_idx, step_idx]

    ticket_ids = np.char.add("DSP-", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    agent_ids = np.char.add("A", np.char.zfill((tickets["agent"].to_numpy() + 1).astype(str), 3))
    assigned = exists[:, STEPS.index("Agent assigned")]
    categories = np.array(list(CATEGORY_SHARES))[tickets["category"].to_numpy()]
    outcomes = np.array(list(OUTCOME_SHARES))[tickets["outcome"].to_numpy()]

    is_closed_row = step_idx == STEPS.index("Closed")
    outcome_recorded = is_closed_row & (seconds >= OUTCOME_START_SECONDS)
    timestamps = (WINDOW_START + seconds.astype("timedelta64[s]")).astype("datetime64[us]")

    columns = {
        "ticket_id": pa.array(ticket_ids[ticket_idx], pa.string()),
        "step": pa.array(np.array(STEPS)[step_idx], pa.string()),
        "timestamp": pa.array(timestamps, pa.timestamp("us")),
        "agent_id": pa.array(agent_ids[ticket_idx], pa.string(), mask=~assigned[ticket_idx]),
        "category": pa.array(categories[ticket_idx], pa.string()),
        "outcome": pa.array(outcomes[ticket_idx], pa.string(), mask=~outcome_recorded),
    }
    return pa.table(columns, schema=EVENTS_SCHEMA)


# --------------------------------------------------------------------------------------------------------------
# Population truths
# --------------------------------------------------------------------------------------------------------------
def lognormal_mixture_median(medians: np.ndarray, weights: np.ndarray, sigma: float) -> float:
    """Median of sum_k w_k LogNormal(log median_k, sigma) (weights normalised), by brentq on the mixture CDF."""
    weights = np.asarray(weights, float) / np.sum(weights)
    log_medians = np.log(medians)

    def cdf_minus_half(x: float) -> float:
        return float(np.sum(weights * stats.norm.cdf((math.log(x) - log_medians) / sigma)) - 0.5)

    return float(optimize.brentq(cdf_minus_half, medians.min() / 10, medians.max() * 10, xtol=1e-10))


def workflow_population_median(rng: np.random.Generator, weekly: dict[str, np.ndarray], weeks: np.ndarray) -> float:
    """Median of "Ticket created" -> "Closed" for tickets opened in `weeks`, by Monte Carlo from the model.

    Opening weeks are drawn in proportion to the realised tickets opened; agents are drawn from the population
    (u ~ N(0, tau^2)); a step that would start after the last week uses the last week's median.
    """
    n = WORKFLOW_MC_DRAWS
    p = weekly["tickets_opened"][weeks] / weekly["tickets_opened"][weeks].sum()
    open_week = rng.choice(weeks, size=n, p=p)
    created = draw_opening_offsets(rng, open_week) / SECONDS_PER_HOUR
    queue = lognormal_hours(rng, weekly["queue_median_hours"][open_week], QUEUE_SIGMA, n)
    before_step = (
        queue
        + lognormal_hours(rng, ASSIGN_TO_REQUEST_MEDIAN_HOURS, ASSIGN_TO_REQUEST_SIGMA, n)
        + lognormal_hours(rng, CUSTOMER_REPLY_MEDIAN_HOURS, CUSTOMER_REPLY_SIGMA, n)
    )
    start_week = np.minimum((created + before_step) // (7 * 24), N_WEEKS - 1).astype(int)
    agent_effect = rng.normal(0.0, STEP_TAU, n)
    step = lognormal_hours(rng, weekly["step_median_hours"][start_week] * np.exp(agent_effect), STEP_SIGMA, n)
    total = before_step + step + lognormal_hours(rng, ACCEPT_MEDIAN_HOURS, ACCEPT_SIGMA, n)
    return float(np.median(total))


def population_medians(rng: np.random.Generator, weekly: dict[str, np.ndarray]) -> dict:
    step_sigma_total = math.sqrt(STEP_SIGMA**2 + STEP_TAU**2)
    periods = {"pre": np.arange(INTERVENTION_WEEK), "post": np.arange(INTERVENTION_WEEK, N_WEEKS)}
    step = {
        name: lognormal_mixture_median(
            weekly["step_median_hours"][weeks], weekly["tickets_started"][weeks], step_sigma_total
        )
        for name, weeks in periods.items()
    }
    # the same mixture given the 70 realised agents (their effects and workload shares): closer to the sample
    step_given_agents = {
        name: lognormal_mixture_median(
            np.outer(weekly["step_median_hours"][weeks], np.exp(weekly["agent_effect"])).ravel(),
            np.outer(weekly["tickets_started"][weeks], weekly["agent_share"]).ravel(),
            STEP_SIGMA,
        )
        for name, weeks in periods.items()
    }
    workflow = {name: workflow_population_median(rng, weekly, weeks) for name, weeks in periods.items()}
    return {
        "step_median_pre_hours": step["pre"],
        "step_median_post_hours": step["post"],
        "step_median_difference_hours": step["post"] - step["pre"],
        "step_median_pre_hours_given_agents": step_given_agents["pre"],
        "step_median_post_hours_given_agents": step_given_agents["post"],
        "workflow_median_pre_hours": workflow["pre"],
        "workflow_median_post_hours": workflow["post"],
        "workflow_median_relative_change": workflow["post"] / workflow["pre"] - 1.0,
        "method": (
            "Population = the model with the realised weekly covariates (tickets opened, tickets started, "
            "staffed hours), uncensored, agents drawn from N(0, tau^2). Periods are set by the week in which the "
            "interval's start step happens (pre: weeks 0-49, post: weeks 50-77). Step: exact median of the "
            "mixture over weeks of LogNormal(log m_v, sqrt(sigma^2 + tau^2)) weighted by tickets_started, "
            "solved with scipy.optimize.brentq; '_given_agents': the same with the 70 realised agent effects and "
            "workload shares in place of the N(0, tau^2) population (sigma alone within agents). Whole workflow "
            "(sum of five lognormal steps, no closed form): "
            f"median of {WORKFLOW_MC_DRAWS:,} seeded Monte Carlo draws per period from the same model "
            "(Monte Carlo standard error about 0.05 h); a step starting after week 77 uses week 77's median."
        ),
    }


# --------------------------------------------------------------------------------------------------------------
# Realised (sample) medians, plain pandas
# --------------------------------------------------------------------------------------------------------------
def realised_medians(events: pd.DataFrame) -> dict:
    """Sample medians of complete pairs, grouped by the week in which the interval's start step happens."""
    wide = events.pivot(index="ticket_id", columns="step", values="timestamp")

    def week_of(timestamps: pd.Series) -> pd.Series:
        return (timestamps - pd.Timestamp(str(WINDOW_START))) // pd.Timedelta(days=7)

    result = {}
    for name, start, end in (("step", STEP_START, STEP_END), ("workflow", WORKFLOW_START, WORKFLOW_END)):
        pairs = wide[[start, end]].dropna()
        hours = (pairs[end] - pairs[start]) / pd.Timedelta(hours=1)
        post = week_of(pairs[start]) >= INTERVENTION_WEEK
        result[f"{name}_median_pre_hours"] = float(hours[~post].median())
        result[f"{name}_median_post_hours"] = float(hours[post].median())
        result[f"{name}_n_complete_pre"] = int((~post).sum())
        result[f"{name}_n_complete_post"] = int(post.sum())
    result["step_median_difference_hours"] = result["step_median_post_hours"] - result["step_median_pre_hours"]
    result["workflow_median_relative_change"] = (
        result["workflow_median_post_hours"] / result["workflow_median_pre_hours"] - 1.0
    )
    result["method"] = (
        "Plain pandas on events.parquet: for each ticket the start and end step timestamps, complete pairs only "
        "(tickets still open at the extraction are left out, which shortens the last weeks), median hours by "
        "period of the week of the start step."
    )
    return result


# --------------------------------------------------------------------------------------------------------------
# Survey
# --------------------------------------------------------------------------------------------------------------
def survey_latent_design() -> dict:
    """Solve the latent wave means and the q_overall cut points from CSAT_BY_WAVE (exact, normal model)."""
    loading = ITEMS["q_overall"][1]
    item_sd = math.sqrt(loading**2 + ITEM_NOISE_VAR)  # sd of q_overall's latent response around its mean
    first, last = SURVEY_WAVES
    top2_cut = loading * LATENT_MEAN_FIRST_WAVE - item_sd * stats.norm.ppf(CSAT_BY_WAVE[first])
    last_mean = (top2_cut + item_sd * stats.norm.ppf(CSAT_BY_WAVE[last])) / loading
    wave_means = {first: LATENT_MEAN_FIRST_WAVE, last: last_mean}
    s = OVERALL_CUT_SPACING
    cuts = {item: spec[2] for item, spec in ITEMS.items()}
    cuts["q_overall"] = (top2_cut - 2 * s, top2_cut - s, top2_cut, top2_cut + s)
    return {"wave_means": wave_means, "cuts": cuts}


def expected_item_mean(item: str, wave_mean: float, cuts: tuple[float, ...]) -> float:
    """E[answer] = scale_min + sum over cut points of P(latent response >= cut)."""
    latent, loading, _ = ITEMS[item]
    mean = loading * wave_mean * (TRUST_LATENT_CORRELATION if latent == "trust" else 1.0)
    sd = math.sqrt(loading**2 + ITEM_NOISE_VAR)
    return LIKERT_MIN + float(np.sum(stats.norm.sf((np.asarray(cuts) - mean) / sd)))


def population_survey_truths(design: dict) -> dict:
    def scale_mean(items: tuple[str, ...], wave: str) -> float:
        values = []
        for entry in items:
            reverse, item = entry.startswith("-"), entry.lstrip("-")
            value = expected_item_mean(item, design["wave_means"][wave], design["cuts"][item])
            values.append(LIKERT_MIN + LIKERT_MAX - value if reverse else value)
        return float(np.mean(values))

    first, last = SURVEY_WAVES
    ease = {wave: scale_mean(EASE_ITEMS, wave) for wave in SURVEY_WAVES}
    trust = {wave: scale_mean(TRUST_ITEMS, wave) for wave in SURVEY_WAVES}
    return {
        "csat_top2box_by_wave": dict(CSAT_BY_WAVE),
        "csat_difference": CSAT_BY_WAVE[last] - CSAT_BY_WAVE[first],
        "ease_mean_by_wave": ease,
        "ease_mean_difference": ease[last] - ease[first],
        "trust_mean_by_wave": trust,
        "trust_mean_difference": trust[last] - trust[first],
    }


def draw_survey_answers(rng: np.random.Generator, design: dict, wave_of: np.ndarray) -> dict[str, np.ndarray]:
    """Likert answers (float, NaN = blank) for respondents whose waves are `wave_of`."""
    n = wave_of.size
    satisfaction = np.array([design["wave_means"][w] for w in wave_of]) + rng.standard_normal(n)
    trust = TRUST_LATENT_CORRELATION * satisfaction + math.sqrt(1 - TRUST_LATENT_CORRELATION**2) * rng.standard_normal(
        n
    )
    latents = {"satisfaction": satisfaction, "trust": trust}
    answers = {}
    for item, (latent, loading, _) in ITEMS.items():
        response = loading * latents[latent] + math.sqrt(ITEM_NOISE_VAR) * rng.standard_normal(n)
        value = (LIKERT_MIN + np.searchsorted(np.asarray(design["cuts"][item]), response)).astype(float)
        value[rng.random(n) < ITEM_MISSING_SHARE] = np.nan
        answers[item] = value
    return answers


def pii_values(rng: np.random.Generator) -> list[str]:
    """The PII strings to plant: every e-mail address and phone number above, and PII_ORDER_NUMBERS orders."""
    orders = [
        ORDER_NUMBER_PREFIX + "".join(map(str, rng.integers(0, 10, PII_ORDER_DIGITS - len(ORDER_NUMBER_PREFIX))))
        for _ in range(PII_ORDER_NUMBERS)
    ]
    return [*PII_EMAILS, *PII_PHONES, *orders]


def pii_sentence(rng: np.random.Generator, value: str) -> str:
    kind = "email" if "@" in value else "order" if value.isdigit() else "phone"
    templates = PII_SENTENCES[kind]
    return templates[rng.integers(len(templates))].format(value)


def draw_pain_points(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Free-text answers ('' = blank) and the PII strings planted in them (each value at least once)."""
    blank = rng.random(n) < TEXT_BLANK_SHARE
    n_sentences = rng.integers(1, 3, size=n)
    texts = []
    for i in range(n):
        picked = rng.choice(len(PAIN_POINT_SENTENCES), size=n_sentences[i], replace=False)
        texts.append("" if blank[i] else " ".join(PAIN_POINT_SENTENCES[k] for k in picked))

    answered = np.flatnonzero(~blank)
    values = pii_values(rng)
    n_with_pii = max(len(values), round(PII_SHARE * answered.size))
    carriers = np.sort(rng.choice(answered, size=n_with_pii, replace=False))
    planted = [values[k % len(values)] for k in rng.permutation(n_with_pii)]
    for i, value in zip(carriers, planted, strict=False):
        texts[i] = f"{texts[i]} {pii_sentence(rng, value)}"
    return texts, planted


def generate_survey(rng: np.random.Generator, design: dict) -> tuple[pd.DataFrame, list[str]]:
    waves, roles = [], []
    for wave in SURVEY_WAVES:
        wave_roles = np.repeat(list(SURVEY_RESPONDENTS[wave]), list(SURVEY_RESPONDENTS[wave].values()))
        roles.extend(rng.permutation(wave_roles))
        waves.extend([wave] * wave_roles.size)
    wave_of = np.array(waves)
    answers = draw_survey_answers(rng, design, wave_of)
    texts, planted = draw_pain_points(rng, wave_of.size)
    survey = pd.DataFrame(
        {
            "respondent_id": [f"R{i:04d}" for i in range(1, wave_of.size + 1)],
            "wave": wave_of,
            "role": roles,
            **{item: pd.array(values, dtype="Int64") for item, values in answers.items()},
            "pain_points": texts,
        }
    )
    return survey, planted


def cronbach_alpha(frame: pd.DataFrame) -> float:
    """Cronbach's alpha on complete rows (for the realised value recorded in TRUTH.json)."""
    complete = frame.dropna().astype(float)
    k = complete.shape[1]
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1)))


def realised_survey(survey: pd.DataFrame) -> dict:
    ease = (
        survey[["q_find", "q_fast"]]
        .astype(float)
        .assign(q_clicks_reversed=LIKERT_MIN + LIKERT_MAX - survey["q_clicks"].astype(float))
    )
    by_wave = {}
    for wave, rows in survey.groupby("wave"):
        overall = rows["q_overall"].dropna()
        by_wave[wave] = {
            "n_responses": int(len(rows)),
            "csat_top2box": float((overall >= 4).mean()),
            "ease_mean": float(ease.loc[rows.index].mean(axis=1).mean()),
            "ease_alpha": cronbach_alpha(ease.loc[rows.index]),
            "respondents_by_role": {role: int(k) for role, k in rows["role"].value_counts().sort_index().items()},
        }
    return {
        "by_wave": by_wave,
        "ease_alpha_all": cronbach_alpha(ease),
        "method": "Plain pandas: top-2-box = share of q_overall >= 4 among answers; ease = per-respondent mean of "
        "the available items (q_clicks reversed); alpha on complete rows.",
    }


# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------
def iso(value: np.datetime64) -> str:
    return str(value)


def truth_document(
    seed: int, weekly: dict, population: dict, realised: dict, design: dict, survey_truth: dict,
    survey_realised: dict, planted_pii: list[str], n_tickets: int, n_events: int,
) -> dict:  # fmt: skip
    mondays = week_mondays()
    return {
        "about": "Planted parameters and truths of the synthetic sample team, written by scripts/make_sample_data.py.",
        "seed": seed,
        "timezone": TIMEZONE,
        "window": {
            "first_week_monday": iso(mondays[0]),
            "last_week_monday": iso(mondays[-1]),
            "last_day": iso(mondays[-1] + 6),
            "n_weeks": N_WEEKS,
            "week_start": "monday",
        },
        "intervention_date": iso(mondays[INTERVENTION_WEEK]),
        "intervention_week_index": INTERVENTION_WEEK,
        "extracted_at": iso(EXTRACTED_AT),
        "steps": list(STEPS),
        "step": {"start_step": STEP_START, "end_step": STEP_END},
        "workflow": {"start_step": WORKFLOW_START, "end_step": WORKFLOW_END},
        "n_tickets": n_tickets,
        "n_events": n_events,
        "volume": {
            "expected_tickets_first_week": TICKETS_FIRST_WEEK,
            "expected_tickets_last_week": TICKETS_LAST_WEEK,
            "seasonal_amplitude": SEASONAL_AMPLITUDE,
            "seasonal_peak": iso(SEASONAL_PEAK),
            "noise": "Poisson",
            "weekday_weights_monday_first": list(WEEKDAY_WEIGHTS),
            "hour_weights": list(HOUR_WEIGHTS),
            "tickets_total": int(weekly["tickets_opened"].sum()),
        },
        "staffing": {
            "staffed_hours_first_week_trend": STAFFED_HOURS_FIRST_WEEK,
            "staffed_hours_last_week_trend": STAFFED_HOURS_LAST_WEEK,
            "noise_sd": STAFFING_NOISE_SD,
            "rounded_to": STAFFING_ROUND_TO,
        },
        "step_model": {
            "formula": "median_hours_v = intercept + per_ticket_started * tickets_started_v "
            "+ per_staffed_hour * staffed_hours_v + level_change * post_v; week v = week of 'Evidence received'; "
            "tickets_started_v = tickets whose 'Evidence received' falls in week v; post_v = 1 from week 50",
            "intercept_hours": STEP_INTERCEPT_HOURS,
            "hours_per_ticket_started": STEP_HOURS_PER_TICKET_STARTED,
            "hours_per_staffed_hour": STEP_HOURS_PER_STAFFED_HOUR,
            "level_change_hours": LEVEL_CHANGE_HOURS,
            "slope_change_hours_per_week": SLOPE_CHANGE_HOURS_PER_WEEK,
            "sigma": STEP_SIGMA,
            "tau": STEP_TAU,
            "icc": STEP_TAU**2 / (STEP_TAU**2 + STEP_SIGMA**2),
            "sigma_total": math.sqrt(STEP_SIGMA**2 + STEP_TAU**2),
            "n_agents": N_AGENTS,
            "agent_workload_concentration": AGENT_WORKLOAD_CONCENTRATION,
        },
        "other_steps": {
            "queue": {
                "between": ["Ticket created", "Agent assigned"],
                "median_hours": "base + per_load * tickets_opened_w / staffed_hours_w (week the ticket opened)",
                "base_hours": QUEUE_BASE_HOURS,
                "hours_per_load": QUEUE_HOURS_PER_LOAD,
                "sigma": QUEUE_SIGMA,
            },
            "evidence_request": {
                "between": ["Agent assigned", "Evidence requested"],
                "median_hours": ASSIGN_TO_REQUEST_MEDIAN_HOURS,
                "sigma": ASSIGN_TO_REQUEST_SIGMA,
            },
            "customer_reply": {
                "between": ["Evidence requested", "Evidence received"],
                "median_hours": CUSTOMER_REPLY_MEDIAN_HOURS,
                "sigma": CUSTOMER_REPLY_SIGMA,
            },
            "customer_acceptance": {
                "between": ["Resolution proposed", "Closed"],
                "median_hours": ACCEPT_MEDIAN_HOURS,
                "sigma": ACCEPT_SIGMA,
            },
        },
        "category_shares": dict(CATEGORY_SHARES),
        "outcome": {
            "recording_start": iso(OUTCOME_RECORDING_START),
            "recorded_on": "the 'Closed' row of tickets closed on/after recording_start; null elsewhere",
            "shares": dict(OUTCOME_SHARES),
        },
        "population_medians": population,
        "realised_medians": realised,
        "weekly": [
            {
                "week": iso(mondays[w]),
                "post": int(w >= INTERVENTION_WEEK),
                "expected_tickets_opened": round(float(weekly["expected_tickets_opened"][w]), 3),
                "tickets_opened": int(weekly["tickets_opened"][w]),
                "tickets_started": int(weekly["tickets_started"][w]),
                "staffed_hours": float(weekly["staffed_hours"][w]),
                "queue_median_hours": float(weekly["queue_median_hours"][w]),
                "step_median_hours": float(weekly["step_median_hours"][w]),
            }
            for w in range(N_WEEKS)
        ],
        "agents": {
            f"A{k + 1:03d}": {"effect_u": float(weekly["agent_effect"][k]), "share": float(weekly["agent_share"][k])}
            for k in range(N_AGENTS)
        },
        "survey": {
            "invited": SURVEY_INVITED,
            "waves": list(SURVEY_WAVES),
            "before_change_wave": SURVEY_WAVES[0],
            "after_change_wave": SURVEY_WAVES[1],
            "respondents_by_wave_and_role": SURVEY_RESPONDENTS,
            "min_group_size_suppresses": ["Quality analyst"],
            "items": {item: {"latent": spec[0], "loading": spec[1]} for item, spec in ITEMS.items()},
            "cut_points": {item: [float(c) for c in cuts] for item, cuts in design["cuts"].items()},
            "latent_wave_means": design["wave_means"],
            "item_noise_var": ITEM_NOISE_VAR,
            "trust_latent_correlation": TRUST_LATENT_CORRELATION,
            "scales": {"ease": list(EASE_ITEMS), "trust": list(TRUST_ITEMS)},
            "item_missing_share": ITEM_MISSING_SHARE,
            "text_blank_share": TEXT_BLANK_SHARE,
            "pii_share_of_answers": PII_SHARE,
            "population": survey_truth,
            "realised": survey_realised,
            "pii_planted": sorted(set(planted_pii)),
            "n_answers_with_pii": len(planted_pii),
        },
    }


def generate(out: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write the sample team into `out` and return the TRUTH document."""
    out.mkdir(parents=True, exist_ok=True)
    data_seed, survey_seed, truth_seed = np.random.SeedSequence(seed).spawn(3)

    tickets, weekly = generate_tickets(np.random.default_rng(data_seed))
    table = events_table(tickets)
    pq.write_table(
        table,
        out / "events.parquet",
        compression="zstd",
        compression_level=PARQUET_ZSTD_LEVEL,
        use_dictionary=PARQUET_DICTIONARY_COLUMNS,
    )

    staffing = pd.DataFrame({"week": week_mondays().astype(str), "staffed_hours": weekly["staffed_hours"]})
    staffing.to_csv(out / "staffing.csv", index=False, lineterminator="\n")

    design = survey_latent_design()
    survey, planted_pii = generate_survey(np.random.default_rng(survey_seed), design)
    survey.to_csv(out / "survey.csv", index=False, lineterminator="\n")

    (out / "team.yml").write_text(TEAM_YML, encoding="utf-8")

    truth = truth_document(
        seed=seed,
        weekly=weekly,
        population=population_medians(np.random.default_rng(truth_seed), weekly),
        realised=realised_medians(table.to_pandas()),
        design=design,
        survey_truth=population_survey_truths(design),
        survey_realised=realised_survey(survey),
        planted_pii=planted_pii,
        n_tickets=len(tickets),
        n_events=table.num_rows,
    )
    (out / "TRUTH.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def write_weekly_table(out: Path) -> Path:
    """weekly.csv: the ITS notebook's default input, made by the library's own baseline code from the files just
    written (the same table `playbook run` writes as baseline/weekly.csv)."""
    from inbound_playbook import baseline
    from inbound_playbook.config import load_config

    config = load_config(out / "team.yml")
    return baseline.write_weekly(config.baseline, config.context(), out / "weekly.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/sample-team)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    truth = generate(args.out, args.seed)
    write_weekly_table(args.out)
    pop, real = truth["population_medians"], truth["realised_medians"]
    print(f"wrote {args.out}: {truth['n_tickets']} tickets, {truth['n_events']} events")
    print(
        f"step median pre/post: population {pop['step_median_pre_hours']:.2f}/{pop['step_median_post_hours']:.2f} h, "
        f"realised {real['step_median_pre_hours']:.2f}/{real['step_median_post_hours']:.2f} h"
    )
    print(
        f"workflow median pre/post: population {pop['workflow_median_pre_hours']:.2f}/"
        f"{pop['workflow_median_post_hours']:.2f} h ({pop['workflow_median_relative_change']:+.1%}), realised "
        f"{real['workflow_median_pre_hours']:.2f}/{real['workflow_median_post_hours']:.2f} h "
        f"({real['workflow_median_relative_change']:+.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
