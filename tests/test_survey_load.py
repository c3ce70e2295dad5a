"""Bad surveys raise InputError naming the file, the column and the first bad row (the CLI exits 2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from inbound_playbook.errors import InputError
from inbound_playbook.survey import Params, analyse, validate
from inbound_playbook.survey.load import load_survey

HEADER = "respondent_id,wave,role,q_overall,q_find,q_fast,q_clicks,pain_points"
GOOD_ROWS = [
    "R1,w1,Agent,5,4,4,2,Search is slow",
    "R2,w1,Agent,3,3,2,4,",
    "R3,w2,Agent,4,4,5,1,Too many clicks",
    "R4,w2,Agent,2,,3,3,",
]


def write(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def params(path: Path, **overrides) -> Params:
    values = dict(
        responses=str(path),
        csat_item="q_overall",
        scales={"ease": ["q_find", "q_fast", "-q_clicks"]},
        wave_column="wave",
        group_column="role",
        text_column="pain_points",
        min_group_size=2,
    )
    values.update(overrides)
    return Params(**values)


def raises(p: Params) -> InputError:
    with pytest.raises(InputError) as caught:
        validate(p, None)
    return caught.value


def test_good_file_validates_and_accepts_integer_valued_numbers(tmp_path):
    rows = GOOD_ROWS + ["R5,w2,Agent,4.0, 5 ,4.00,1,"]
    data = load_survey(params(write(tmp_path, rows)))
    assert data.frame["q_overall"].tolist() == [5, 3, 4, 2, 4]
    assert data.frame["q_find"].isna().tolist() == [False, False, False, True, False]
    assert data.frame["q_find"].iloc[4] == 5


@pytest.mark.parametrize(
    "bad, column, row, words",
    [
        ("R5,w2,Agent,6,4,4,2,", "q_overall", 6, "outside the declared scale 1..5"),
        ("R5,w2,Agent,0,4,4,2,", "q_overall", 6, "outside"),
        ("R5,w2,Agent,4,4.5,4,2,", "q_find", 6, "not a whole number"),
        ("R5,w2,Agent,4,4,abc,2,", "q_fast", 6, "'abc' is not a number"),
        ("R5,w2,Agent,4,4,4,NA,", "q_clicks", 6, "'NA' is not a number"),
        ("R5,w2,Agent,4,4,4,n/a,", "q_clicks", 6, "not a number"),
        ("R5,w2,Agent,4,4,4,inf,", "q_clicks", 6, "not a whole number"),
        ("R5,,Agent,4,4,4,2,", "wave", 6, "wave is blank"),
    ],
)
def test_bad_answers_name_file_column_and_first_bad_row(tmp_path, bad, column, row, words):
    path = write(tmp_path, GOOD_ROWS + [bad, bad.replace("R5", "R6")])
    error = raises(params(path))
    assert error.file == str(path)
    assert error.column == column
    assert error.row == row
    assert words in str(error)
    assert error.fix


def test_item_missing_from_the_file(tmp_path):
    path = write(tmp_path, GOOD_ROWS)
    error = raises(params(path, scales={"ease": ["q_find", "q_speed", "-q_clicks"]}))
    assert error.file == str(path) and error.column == "q_speed"
    assert "no column 'q_speed'" in str(error)
    error = raises(params(path, csat_item="overall"))
    assert error.column == "overall"
    error = raises(params(path, group_column="team"))
    assert error.column == "team"


def test_one_respondent(tmp_path):
    path = write(tmp_path, GOOD_ROWS[:1])
    error = raises(params(path))
    assert error.file == str(path) and error.row == 2
    assert "1 response" in str(error)


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in str(raises(params(empty)))
    header_only = write(tmp_path, [], name="header.csv")
    error = raises(params(header_only))
    assert error.file == str(header_only) and "no data rows" in str(error)


def test_item_with_no_answers_at_all(tmp_path):
    rows = [r.split(",") for r in GOOD_ROWS]
    for r in rows:
        r[4] = ""
    error = raises(params(write(tmp_path, [",".join(r) for r in rows])))
    assert error.column == "q_find" and "no answers" in str(error)


def test_more_responses_than_invited(tmp_path):
    path = write(tmp_path, GOOD_ROWS)
    error = raises(params(path, invited=1))  # per wave: w1 and w2 have 2 responses each
    assert error.column == "wave" and "invited" in str(error)
    error = raises(params(path, invited=3, wave_column=None))
    assert "4 responses" in str(error)
    validate(params(path, invited=2), None)


def test_same_column_as_item_and_group(tmp_path):
    error = raises(params(write(tmp_path, GOOD_ROWS), group_column="q_find"))
    assert error.column == "q_find"


def test_scale_configuration_errors_are_rejected_by_the_model(tmp_path):
    from pydantic import ValidationError

    path = str(write(tmp_path, GOOD_ROWS))
    with pytest.raises(ValidationError, match="at least two items"):
        Params(responses=path, csat_item="q_overall", scales={"solo": ["q_find"]})
    with pytest.raises(ValidationError, match="twice"):
        Params(responses=path, csat_item="q_overall", scales={"s": ["q_find", "-q_find"]})
    with pytest.raises(ValidationError, match="scale_max"):
        Params(responses=path, csat_item="q_overall", scale_min=1, scale_max=2)


def test_parquet_input_with_numeric_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "wave": ["w1", "w1", "w2", "w2"],
            "role": ["Agent"] * 4,
            "q_overall": pd.array([5, 3, None, 2], dtype="Int64"),
            "q_find": [4.0, 3.0, 4.0, 2.0],
            "q_fast": [4, 2, 5, 3],
            "q_clicks": [2, 4, 1, 3],
            "pain_points": ["a", None, "b", "c"],
        }
    )
    path = tmp_path / "survey.parquet"
    frame.to_parquet(path)
    data = load_survey(params(path))
    assert data.frame["q_overall"].isna().tolist() == [False, False, True, False]
    frame["q_find"] = [4.0, 3.5, 4.0, 2.0]
    frame.to_parquet(path)
    error = raises(params(path))
    assert error.column == "q_find" and error.row == 3


def test_items_detected_automatically_and_explicit_items(tmp_path):
    header = HEADER + ",q_training,tenure_note"
    rows = [r + ",3,long" for r in GOOD_ROWS]
    path = write(tmp_path, rows, header=header)
    result = analyse(params(path), None).results
    assert result["items_detected"] == ["q_training"]
    assert "q_training" in result["items"]
    explicit = analyse(params(path, items=[]), None).results
    assert "q_training" not in explicit["items"]
    bad = write(tmp_path, [r + ",9,x" for r in GOOD_ROWS], header=header, name="bad.csv")
    error = raises(params(bad, items=["q_training"]))
    assert error.column == "q_training" and error.row == 2
