from pathlib import Path

import pytest

from grader.errors import RubricError
from grader.rubric import available, load_rubric

GOOD = Path(__file__).resolve().parent.parent / "rubrics" / "fall2020.toml"


def test_bundled_rubrics_validate_and_default_is_fall2020():
    assert {"fall2020", "spring2021"} <= set(available())
    assert load_rubric().edition == "fall2020"
    for name in available():
        r = load_rubric(name)
        assert r.max_score > 0
        assert all(i.id.startswith(("1.", "2.", "format")) for i in r.items)


def test_editions_differ_only_in_data():
    fall, spring = load_rubric("fall2020"), load_rubric("spring2021")
    assert fall.conventions.theory["mse"].scale == 0.5
    assert spring.conventions.theory["mse"].scale == 1.0
    assert spring.conventions.theory["bce"].reduce == "mean"
    assert fall.conventions.implementation["mse"].scale == 0.5 and spring.conventions.implementation["mse"].scale == 1
    assert fall.conventions.implementation["bce"] == spring.conventions.implementation["bce"]
    assert [i.id for i in fall.items] == [i.id for i in spring.items]


def _write(tmp_path, text: str) -> Path:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    return p


def _edited(old: str, new: str) -> str:
    text = GOOD.read_text()
    assert old in text
    return text.replace(old, new, 1)


def test_negative_points_names_file_item_and_field(tmp_path):
    p = _write(tmp_path, _edited("points = 5\n", "points = -1\n"))
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    msg = str(e.value)
    assert str(p) in msg and "points" in msg and "greater than or equal to 0" in msg and "-1" in msg


def test_unknown_check_lists_the_allowed_ones(tmp_path):
    p = _write(tmp_path, _edited('check = "forward"', 'check = "forwards"'))
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    assert "forwards" in str(e.value) and "backward" in str(e.value) and "2.forward" in str(e.value)


def test_bad_visibility_and_bce_without_sigmoid(tmp_path):
    p = _write(tmp_path, _edited('visibility = "after_due_date"', 'visibility = "secret"'))
    with pytest.raises(RubricError, match="visibility.*after_published"):
        load_rubric(p)
    p = _write(tmp_path, _edited('{ f = "sigmoid", g = "sigmoid", loss = "bce" }',
                                 '{ f = "sigmoid", g = "identity", loss = "bce" }'))
    with pytest.raises(RubricError, match="g must be 'sigmoid'"):
        load_rubric(p)


def test_duplicate_ids_typos_and_bad_toml(tmp_path):
    p = _write(tmp_path, _edited('id = "2.bce_loss"', 'id = "2.mse_loss"'))
    with pytest.raises(RubricError, match="appears twice"):
        load_rubric(p)
    p = _write(tmp_path, _edited("cases = 6", "casess = 6"))
    with pytest.raises(RubricError, match="casess"):
        load_rubric(p)
    p = _write(tmp_path, "edition = \n")
    with pytest.raises(RubricError, match="not valid TOML"):
        load_rubric(p)


def test_missing_rubric_names_the_choices(tmp_path):
    with pytest.raises(RubricError, match="fall2020"):
        load_rubric("winter1999")
    with pytest.raises(RubricError, match="does not exist"):
        load_rubric(tmp_path / "nope.toml")
