"""results.json: plain JSON numbers, deterministic bytes.

Two runs over the same input must give byte-identical files, so keys keep insertion order, floats are written with
``repr`` precision, NaN becomes null (JSON has no NaN), and no timestamps go in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, numpy scalars/arrays, dates and paths to plain JSON values; NaN/inf -> None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"cannot write {type(value).__name__} to results.json")


def dumps(results: Any) -> str:
    return json.dumps(to_jsonable(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json_atomic(path: str | Path, payload: Any) -> Path:
    """Write JSON via a temporary file and rename, so a killed process never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(dumps(payload), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_results(output_dir: str | Path | None, result: Any) -> Path | None:
    """Write an analysis's result (its ``to_dict()``) as ``results.json`` into its output folder (no-op when the
    notebook runs for the book). Every analysis's results.json is written here, from its typed result."""
    if output_dir is None:
        return None
    payload = result.to_dict() if hasattr(result, "to_dict") else result
    return write_json_atomic(Path(output_dir) / "results.json", payload)
