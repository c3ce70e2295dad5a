"""Property-based tests (hypothesis): the loaders only ever raise InputError, and the statistics keep their invariants.

Example counts are modest and deadlines off, so the file runs in seconds; a failure prints the shrunk example.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inbound_playbook.baseline.stats import headline, median_ci, rng_for
from inbound_playbook.common_stats import wilson_interval
from inbound_playbook.config import load_config
from inbound_playbook.errors import InputError
from inbound_playbook.feasibility.stats import design_effect, n_required_per_arm
from inbound_playbook.io import read_table
from inbound_playbook.its.stats import ItsSpec, fit_its
from inbound_playbook.survey.text import redact

FAST = settings(
    max_examples=int(__import__("os").environ.get("PLAYBOOK_HYPOTHESIS_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SCRATCH = Path(tempfile.mkdtemp(prefix="playbook-properties-"))


def _write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


# -- loaders: nothing but InputError ---------------------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates().map(str),
    st.just("../.."),
    st.just("/etc/passwd"),
    st.just("UTC"),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
section_keys = {
    "baseline": [
        "events",
        "columns",
        "start_step",
        "end_step",
        "sla_hours",
        "staffing",
        "week_start",
        "business_hours",
        "agent_column",
        "bootstrap_resamples",
    ],
    "survey": [
        "responses",
        "scale_min",
        "scale_max",
        "csat_item",
        "scales",
        "items",
        "wave_column",
        "invited",
        "codebook",
        "min_group_size",
    ],
    "its": [
        "series",
        "date_column",
        "outcome",
        "interventions",
        "covariates",
        "family",
        "offset",
        "seasonality",
        "hac_maxlags",
        "control",
        "phase_in",
    ],
    "feasibility": [
        "users",
        "units_per_user_per_week",
        "metric_sd",
        "minimum_effect",
        "icc",
        "weeks_available",
        "alpha",
        "power",
        "has_stable_pre_period",
        "bootstrap_resamples",
    ],
}
sections = {
    name: st.dictionaries(st.sampled_from(keys), values, max_size=len(keys)) | values
    for name, keys in section_keys.items()
}
configs = st.fixed_dictionaries(
    {},
    optional={
        "team": st.sampled_from(["ok-team", "../..", "/etc", "", "A B"]) | scalars,
        "title": scalars,
        "timezone": st.sampled_from(["UTC", "Asia/Singapore", "Nowhere/City", ""]) | scalars,
        "seed": scalars,
        **sections,
        "extra": values,
    },
)


def _load_only_input_error(text: str | bytes) -> None:
    path = _write("team.yml", text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        load_config(path)
    except InputError as error:
        assert str(error) and error.file is not None
        assert "Traceback" not in str(error)


@FAST
@given(st.text(max_size=300))
def test_config_loader_raises_only_input_error_on_arbitrary_text(text):
    _load_only_input_error(text)


@FAST
@given(st.binary(max_size=300))
def test_config_loader_raises_only_input_error_on_arbitrary_bytes(data):
    _load_only_input_error(data)


@FAST
@given(configs)
def test_config_loader_raises_only_input_error_on_arbitrary_mappings(config):
    try:
        text = yaml.safe_dump(config, allow_unicode=True)
    except yaml.YAMLError:  # a value the dumper cannot represent is not a config anyone can write
        assume(False)
    _load_only_input_error(text)


@FAST
@given(st.text(min_size=1, max_size=30).filter(lambda s: "\n" not in s and "\r" not in s))
def test_unsafe_yaml_tags_never_construct_objects(payload):
    marker = SCRATCH / "constructed"
    text = f"team: !!python/object/apply:os.system ['touch {marker}']\ntitle: {yaml.safe_dump(payload).strip()}\n"
    _load_only_input_error(text)
    assert not marker.exists()


csv_bytes = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6), min_size=1, max_size=5),
        max_size=8,
    ).map(lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")),
    st.text(max_size=200).map(lambda s: s.encode("latin-1", "replace")),
    st.text(max_size=200).map(lambda s: s.encode("utf-16", "surrogatepass")),
)


@FAST
@given(csv_bytes, st.sampled_from([(), ("week",), ("week", "staffed_hours")]))
def test_read_table_raises_only_input_error_on_arbitrary_bytes(data, required):
    path = _write("table.csv", data)
    try:
        frame = read_table(path, required=required, what="table")
    except InputError as error:
        assert error.file is not None and str(error)
    else:
        assert isinstance(frame, pd.DataFrame) and not frame.empty
        assert all(c in frame.columns for c in required)


@FAST
@given(st.binary(max_size=400))
def test_read_table_raises_only_input_error_on_arbitrary_parquet_bytes(data):
    path = _write("table.parquet", data)
    with pytest.raises(InputError):
        read_table(path, required=["week"])


# -- common statistics ----------------------------------------------------------------------------------------------
@FAST
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_is_ordered_and_symmetric(counts):
    x, n = counts
    p = wilson_interval(x, n)
    low, high = p.ci
    assert 0 <= low <= p.share <= high <= 1
    q = wilson_interval(n - x, n)
    assert q.ci[0] == pytest.approx(1 - high, abs=1e-12)
    assert q.ci[1] == pytest.approx(1 - low, abs=1e-12)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _reported_median(values: list[float]) -> float:
    """The median the baseline reports (its headline numbers), all tickets completed."""
    hours = np.array(values, dtype=float)
    return headline(hours, np.zeros_like(hours), seed=1, resamples=200).median


@FAST
@given(st.lists(finite, min_size=1, max_size=60))
def test_reported_median_is_numpys_and_the_mean_of_the_middle_two(values):
    median = _reported_median(values)
    assert median == pytest.approx(float(np.median(values)), rel=1e-12, abs=1e-9)
    ordered = sorted(values)
    n = len(ordered)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    assert median == pytest.approx(middle, rel=1e-12, abs=1e-9)


@FAST
@given(st.lists(finite, min_size=2, max_size=40), st.integers(0, 2**32 - 1))
def test_bootstrap_median_ci_is_deterministic_and_contains_the_median(values, seed):
    first = median_ci(np.array(values), rng=rng_for(seed), resamples=200)
    again = median_ci(np.array(values), rng=rng_for(seed), resamples=200)
    assert first == again
    low, high = first
    median = float(np.median(values))
    assert low - 1e-9 <= median <= high + 1e-9
    assert min(values) <= low <= high <= max(values)


# -- survey redaction ----------------------------------------------------------------------------------------------
words = st.text(alphabet=st.sampled_from(list("abcdefghij klmnopqrstuvwxyzABCDEFG,.;:!?'-")), max_size=40)
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.from_regex(r"[a-z0-9][a-z0-9._+\-]{0,15}", fullmatch=True),
    st.lists(st.from_regex(r"[a-z0-9][a-z0-9\-]{0,10}", fullmatch=True), min_size=1, max_size=3),
    st.sampled_from(["com", "sg", "co.uk", "org", "internal"]),
)
phones = st.builds(
    lambda cc, groups, sep: ("+" + cc + sep if cc else "") + sep.join(groups),
    st.sampled_from(["", "65", "1", "44", "852"]),
    st.lists(st.from_regex(r"[0-9]{3,4}", fullmatch=True), min_size=2, max_size=3),
    st.sampled_from([" ", "-", ".", ""]),
).filter(lambda s: sum(ch.isdigit() for ch in s) >= 7)
digit_runs = st.from_regex(r"[0-9]{7,20}", fullmatch=True)


@FAST
@given(words, st.one_of(emails, phones, digit_runs), words)
def test_redaction_removes_any_embedded_email_phone_or_digit_run(before, secret, after):
    text = f"{before} {secret} {after}"
    cleaned = redact(text)
    assert secret not in cleaned
    assert not re.search(r"\d{7,}", cleaned)
    assert "@" not in cleaned.replace("[e-mail removed]", "")
    assert cleaned.startswith(before)  # the words around it stay


# -- interrupted time series ---------------------------------------------------------------------------------------
def _series(seed: int, n_pre: int, n_post: int) -> tuple[pd.DataFrame, tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    t = np.arange(n_pre + n_post)
    y = 20 + 0.1 * t - 3 * (t >= n_pre) + rng.normal(0, 1, t.size)
    return pd.DataFrame({"t": t, "y": y, "staff": 100 + rng.normal(0, 5, t.size)}), (n_pre,)


its_cases = st.tuples(st.integers(0, 10_000), st.integers(4, 30), st.integers(4, 30))


@settings(max_examples=40, deadline=None)
@given(its_cases, st.floats(-1e3, 1e3, allow_nan=False), st.booleans())
def test_its_level_change_ignores_a_constant_added_to_the_outcome(case, constant, with_covariate):
    frame, first_post = _series(*case)
    spec = ItsSpec(covariates=("staff",) if with_covariate else (), hac_maxlags=1)
    base = fit_its(frame, first_post, spec).coefficient("level_1")
    shifted = fit_its(frame.assign(y=frame["y"] + constant), first_post, spec).coefficient("level_1")
    assert shifted.estimate == pytest.approx(base.estimate, rel=1e-6, abs=1e-6)
    assert shifted.se == pytest.approx(base.se, rel=1e-6, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(its_cases, st.floats(0.01, 100).flatmap(lambda a: st.sampled_from([a, -a])))
def test_its_level_change_scales_with_the_outcome(case, factor):
    frame, first_post = _series(*case)
    spec = ItsSpec(hac_maxlags="auto")
    base = fit_its(frame, first_post, spec).coefficient("level_1")
    scaled = fit_its(frame.assign(y=frame["y"] * factor), first_post, spec).coefficient("level_1")
    assert scaled.estimate == pytest.approx(factor * base.estimate, rel=1e-6, abs=1e-9)
    assert scaled.se == pytest.approx(abs(factor) * base.se, rel=1e-6, abs=1e-9)
    assert scaled.p == pytest.approx(base.p, rel=1e-6, abs=1e-12)


# -- feasibility -----------------------------------------------------------------------------------------------------
@FAST
@given(
    st.floats(0.05, 50),
    st.floats(0.05, 50),
    st.floats(0.1, 100),
    st.sampled_from([0.01, 0.05, 0.1]),
    st.sampled_from([0.8, 0.9]),
)
def test_required_sample_size_does_not_grow_with_the_minimum_effect(effect_a, effect_b, sd, alpha, power):
    small, large = sorted((effect_a, effect_b))
    assume(large / sd < 20)  # beyond this the answer is the floor of 2 either way
    assert n_required_per_arm(large, sd, alpha=alpha, power=power) <= n_required_per_arm(
        small, sd, alpha=alpha, power=power
    )
    assert n_required_per_arm(small, sd, alpha=alpha, power=power) >= 2


@FAST
@given(st.floats(1, 10_000), st.floats(0, 0.999))
def test_design_effect_is_at_least_one_and_grows_with_cluster_size_and_icc(cluster_size, icc):
    deff = design_effect(cluster_size, icc)
    assert deff >= 1
    assert math.isfinite(deff)
    assert design_effect(cluster_size + 1, icc) >= deff
    assert design_effect(cluster_size, min(icc + 0.0005, 0.9999)) >= deff
