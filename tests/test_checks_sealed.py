"""lib.checks.sealed and the sealed forms of check_choice / check_value: the sealed string recognises the right
answer, explains the pick, names known mistakes, and contains neither the answer nor any explanation."""

import base64
import math

import pytest

from lib import checks
from lib.checks import sealed

EXPLANATIONS = {"mse": "outliers dominate the mean", "huber": "robust and smooth", "l1": "bounces at a fixed step"}


def _decoded(text: str) -> str:
    return base64.b64decode(text.partition(":")[2]).decode()


def test_sealed_choice_accepts_the_right_option_and_explains_each_pick():
    s = checks.seal_choice("huber", EXPLANATIONS)
    assert repr(checks.check_choice("huber", sealed=s)) == "✓ Right: robust and smooth"
    with pytest.raises(AssertionError, match="^Not the best choice: outliers dominate the mean$"):
        checks.check_choice("mse", sealed=s)
    with pytest.raises(AssertionError, match="not one of the options 'huber', 'l1', 'mse'"):
        checks.check_choice("l2", sealed=s)


def test_sealed_choice_string_contains_no_explanation_and_no_marker_of_the_right_option():
    s = checks.seal_choice("huber", EXPLANATIONS)
    text = s + _decoded(s)
    for explanation in EXPLANATIONS.values():
        for word in explanation.split():
            if len(word) > 4:
                assert word not in text
    # every option appears exactly once (as a key), so the right one is not singled out
    assert all(_decoded(s).count(f"'{option}'") == 1 for option in EXPLANATIONS)


def test_two_seals_of_one_answer_differ_so_a_digest_cannot_be_looked_up():
    assert checks.seal_choice("huber", EXPLANATIONS) != checks.seal_choice("huber", EXPLANATIONS)
    assert checks.seal_value(1.25) != checks.seal_value(1.25)


def test_sealed_choice_takes_int_options():
    s = checks.seal_choice(2, {1: "too few", 2: "just right", 3: "too many"})
    assert "just right" in repr(checks.check_choice(2, sealed=s))
    with pytest.raises(AssertionError, match="too many"):
        checks.check_choice(3, sealed=s)
    with pytest.raises(AssertionError, match="not one of the options"):
        checks.check_choice(True, sealed=s)  # True == 1 in Python, but it is not the option 1


@pytest.mark.parametrize("value", [0.42265, 0.422649, 0.4226497308, 0.42265001])
def test_sealed_value_accepts_anything_that_rounds_to_the_same_digits(value):
    s = checks.seal_value(2 / (3 + math.sqrt(3)), digits=5)
    assert "right to 5 significant digits" in repr(checks.check_value(value, sealed=s, name="lr"))


@pytest.mark.parametrize(
    ("value", "says"),
    [(-0.4226497, "has the wrong sign"), (0.8452995, "is twice the answer"), (0.21132487, "is wrong: 1/lambda_max"),
     (4.226497, "is 10 times the answer"), (0.5, "is not the answer"), (0.42275, "is not the answer")],
)  # fmt: skip
def test_sealed_value_names_known_mistakes_and_never_shows_the_answer(value, says):
    s = checks.seal_value(0.4226497308, digits=5, mistakes={0.2113248654: "1/lambda_max is stable but not the largest"})
    with pytest.raises(AssertionError) as failure:
        checks.check_value(value, sealed=s, name="lr", hint="look at the eigenvalues")
    message = str(failure.value)
    assert says in message and message.endswith("look at the eigenvalues")
    assert "0.42265" not in message.replace(f"{value:.6g}", "your value")
    assert "4226" not in _decoded(s) and "1/lambda" not in _decoded(s)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_sealed_value_fails_for_nan_and_inf_even_when_the_answer_is_zero(value):
    s = checks.seal_value(0.0)
    with pytest.raises(AssertionError, match="not a finite number"):
        checks.check_value(value, sealed=s, name="x")
    assert "✓" in repr(checks.check_value(0.0, sealed=s, name="x"))


def test_seal_value_refuses_an_answer_next_to_a_rounding_boundary():
    with pytest.raises(ValueError, match="rounding boundary at 4 significant digits"):
        checks.seal_value(0.4226497308, digits=4)  # 4226.497: a hair from 4226.5


def test_seal_value_refuses_a_mistake_that_rounds_to_the_answer():
    with pytest.raises(ValueError, match="rounds to the answer"):
        checks.seal_value(1.25, mistakes={1.25000001: "no"})


@pytest.mark.parametrize(
    ("call", "message"),
    [(lambda: checks.check_choice("a", sealed="value:abc"), "made by lib.checks.seal_choice"),
     (lambda: checks.check_choice("a", sealed=3), "made by lib.checks.seal_choice"),
     (lambda: checks.check_choice("a", sealed="choice:!!"), "made by lib.checks.seal_choice"),
     (lambda: checks.check_choice("a", correct="a", explanations={"a": "x"},
                                  sealed=checks.seal_choice("a", {"a": "x"})), "not both"),
     (lambda: checks.check_value(1.0, 1.0, name="x", sealed=checks.seal_value(1.0)), "not both"),
     (lambda: checks.check_value(1.0, name="x"), "give `expected`"),
     (lambda: checks.check_value(1.0, name="x", sealed=checks.seal_choice("a", {"a": "x"})), "seal_value"),
     (lambda: checks.check_value(1.0, name="x", hint=3, sealed=checks.seal_value(1.0)), "`hint` must be a str"),
     (lambda: checks.seal_choice("c", {"a": "x", "b": "y"}), "`correct` must be one of"),
     (lambda: checks.seal_choice("a", {}), "non-empty dict"),
     (lambda: checks.seal_choice("a", {"a": ""}), "non-empty str"),
     (lambda: checks.seal_choice(1.5, {1.5: "x"}), "str or an int"),
     (lambda: checks.seal_value(float("nan")), "`expected` must be"),
     (lambda: checks.seal_value(1.0, digits=0), "`digits` must be"),
     (lambda: checks.seal_value(1.0, mistakes=[2.0]), "`mistakes` must be a dict"),
     (lambda: checks.seal_value(1.0, mistakes={2.0: ""}), "non-empty str"),
     (lambda: checks.as_source(3), "`sealed` must be a string")],
)  # fmt: skip
def test_bad_arguments_to_sealed_checks_raise_value_errors_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_as_source_pastes_back_into_the_same_string():
    s = checks.seal_choice("huber", EXPLANATIONS)
    source = checks.as_source(s, width=40)
    assert eval(source) == s  # noqa: S307 - the test's own output
    assert all(len(line) <= 40 + 6 for line in source.splitlines())


def test_rounded_is_one_string_per_rounding():
    assert sealed.rounded(-0.00123449, 4) == "-1.234e-03"
    assert sealed.rounded(1234.5678, 3) == sealed.rounded(1234.4, 3) == "1.23e+03"
    assert sealed.rounded(0.0, 3) == "0"
