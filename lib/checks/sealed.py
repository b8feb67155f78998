"""Sealed answers: a string that lets a check recognise the right answer without containing it.

A public exercise check (in the book and in student copies) must not show the expected value or the right choice.
:func:`seal_choice` and :func:`seal_value` turn them into a string of salted SHA-256 digests: the check hashes the
learner's answer the same way and compares digests. Explanations (why an option is or is not the best, what a known
wrong number means) are stored encrypted with a key derived from that option or value, so the string reveals an
explanation only to someone who gives that answer. Nothing more can be learned from the string than by trying
answers in the check itself: it hides answers from a reader, not from a search over every option.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
from collections.abc import Mapping

from lib._validate import check_int, check_number

_VERSION = 1


def _digest(salt: str, *parts: str) -> bytes:
    return hashlib.sha256("\x1f".join((salt, *parts)).encode()).digest()


def _tag(salt: str, *parts: str) -> str:
    return _digest(salt, "tag", *parts).hex()[:32]


def _xor(data: bytes, salt: str, *parts: str) -> bytes:
    """``data`` XOR a key stream made from the salt and ``parts`` (encrypts and decrypts)."""
    stream, block = b"", 0
    while len(stream) < len(data):
        stream += _digest(salt, "key", *parts, str(block))
        block += 1
    return bytes(a ^ b for a, b in zip(data, stream))


def _lock(text: str, salt: str, *parts: str) -> str:
    return base64.b64encode(_xor(text.encode(), salt, *parts)).decode()


def _unlock(token: str, salt: str, *parts: str) -> str:
    return _xor(base64.b64decode(token), salt, *parts).decode()


def _pack(kind: str, payload: dict) -> str:
    body = json.dumps({"v": _VERSION, **payload}, separators=(",", ":"), sort_keys=True)
    return f"{kind}:" + base64.b64encode(body.encode()).decode()


def _unpack(kind: str, sealed) -> dict:
    """The payload of a string made by ``seal_<kind>``; a ValueError naming ``sealed`` for anything else."""
    problem = f"`sealed` must be a string made by lib.checks.seal_{kind}(...)"
    if not isinstance(sealed, str):
        raise ValueError(f"{problem}, got {type(sealed).__name__}")
    prefix, _, body = sealed.partition(":")
    try:
        payload = json.loads(base64.b64decode(body, validate=True))
    except ValueError:
        payload = None
    if prefix != kind or not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise ValueError(f"{problem}, got {sealed[:40]!r}{'...' if len(sealed) > 40 else ''}")
    return payload


def _option_key(option) -> str:
    if isinstance(option, bool) or not isinstance(option, (str, int)):
        raise ValueError(f"every option must be a str or an int, got {option!r}")
    return repr(option)


def seal_choice(correct, explanations: Mapping) -> str:
    """A sealed multiple-choice answer for ``check_choice(answer, sealed=...)``.

    ``explanations`` maps every option (str or int) to why it is, or is not, the best one; ``correct`` is one of
    them. The result names the options (a learner needs them) but not which is right, and holds each explanation
    encrypted under its own option."""
    if not isinstance(explanations, Mapping) or not explanations:
        raise ValueError("`explanations` must be a non-empty dict from each option to why it is (not) the best one, "
                         f"got {explanations!r}")
    keys = {_option_key(option): option for option in explanations}
    if any(not isinstance(text, str) or not text.strip() for text in explanations.values()):
        raise ValueError("every explanation in `explanations` must be a non-empty str")
    if isinstance(correct, bool) or correct not in explanations:
        raise ValueError(f"`correct` must be one of the options {sorted(keys)}, got {correct!r}")
    salt = os.urandom(8).hex()
    notes = {key: _lock(explanations[option], salt, "note", key) for key, option in keys.items()}
    return _pack("choice", {"salt": salt, "right": _tag(salt, "right", _option_key(correct)), "notes": notes})


def open_choice(answer, sealed: str) -> tuple[bool, str]:
    """``(is_right, explanation)`` for ``answer``; an AssertionError when it is not one of the options."""
    payload = _unpack("choice", sealed)
    options = sorted(payload["notes"])
    key = repr(answer) if isinstance(answer, (str, int)) and not isinstance(answer, bool) else None
    if key not in payload["notes"]:
        raise AssertionError(f"Your answer {answer!r} is not one of the options {', '.join(options)}.")
    salt = payload["salt"]
    return _tag(salt, "right", key) == payload["right"], _unlock(payload["notes"][key], salt, "note", key)


def rounded(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, as the one string every equal rounding gives ("4.226e-01")."""
    if value == 0:
        return "0"
    return f"{value:.{digits - 1}e}"


def _margin(value: float, digits: int) -> float:
    """How far ``value`` lies from the nearest rounding boundary, in units of its last kept digit (0 to 0.5)."""
    if value == 0:
        return 0.5
    unit = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return 0.5 - abs(abs(value) / unit - round(abs(value) / unit))


# Mistakes a check recognises in any sealed number: the learner's value times this factor is the answer.
FACTOR_MISTAKES = {
    -1.0: "has the wrong sign",
    0.5: "is twice the answer (a factor of 2: a missing ½, or a sum where a mean is meant)",
    2.0: "is half the answer (a factor of 2 too small)",
    0.1: "is 10 times the answer",
    10.0: "is a tenth of the answer",
}


def seal_value(expected: float, *, digits: int = 4, mistakes: Mapping | None = None) -> str:
    """A sealed number for ``check_value(value, sealed=...)``: right when ``value`` rounds to the same ``digits``
    significant digits as ``expected``.

    ``expected`` must lie well inside its rounding interval (at least 0.1 of the last kept digit from a
    boundary), so that a value computed another way, to round-off, still rounds the same; otherwise pick other
    ``digits``. ``mistakes`` maps known wrong values (computed by a typical wrong method) to what that mistake
    means; the check shows that text to a learner who arrives at one of them."""
    expected = check_number("expected", expected)
    digits = check_int("digits", digits, low=1, high=15)
    if _margin(expected, digits) < 0.1:
        raise ValueError(f"`expected` = {expected!r} lies within 0.1 of a rounding boundary at {digits} significant "
                         "digits, so a correct answer computed another way could round differently: choose other "
                         "`digits`")
    if mistakes is not None and not isinstance(mistakes, Mapping):
        raise ValueError(f"`mistakes` must be a dict from a wrong value to what it means, got {mistakes!r}")
    salt = os.urandom(8).hex()
    right = rounded(expected, digits)
    locked = {}
    for wrong, text in (mistakes or {}).items():
        wrong = check_number("every value in `mistakes`", wrong)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the explanation of the mistake {wrong!r} in `mistakes` must be a non-empty str")
        if rounded(wrong, digits) == right:
            raise ValueError(f"the mistake {wrong!r} in `mistakes` rounds to the answer at {digits} digits")
        locked[_tag(salt, "mistake", rounded(wrong, digits))] = _lock(text, salt, "mistake", rounded(wrong, digits))
    return _pack("value", {"salt": salt, "digits": digits, "right": _tag(salt, "value", right), "mistakes": locked})


def open_value(value: float, sealed: str) -> tuple[bool, int, str]:
    """``(is_right, digits, what_is_wrong)`` for a finite ``value``: ``what_is_wrong`` is the explanation of a
    sealed mistake, or of a factor from :data:`FACTOR_MISTAKES`, or empty."""
    payload = _unpack("value", sealed)
    salt, digits = payload["salt"], payload["digits"]
    if _tag(salt, "value", rounded(value, digits)) == payload["right"]:
        return True, digits, ""
    token = payload["mistakes"].get(_tag(salt, "mistake", rounded(value, digits)))
    if token is not None:
        return False, digits, "is wrong: " + _unlock(token, salt, "mistake", rounded(value, digits))
    for factor, text in FACTOR_MISTAKES.items():
        if _tag(salt, "value", rounded(value * factor, digits)) == payload["right"]:
            return False, digits, text
    return False, digits, ""


def as_source(sealed: str, *, width: int = 76) -> str:
    """``sealed`` as Python source to paste into a check: adjacent string literals of at most ``width`` characters
    in parentheses, so that a long sealed string keeps the cell readable."""
    if not isinstance(sealed, str) or ":" not in sealed:
        raise ValueError(f"`sealed` must be a string made by lib.checks.seal_choice or seal_value, got {sealed!r}")
    width = check_int("width", width, low=8)
    pieces = [sealed[i:i + width] for i in range(0, len(sealed), width)]
    return "(\n" + "".join(f'    "{piece}"\n' for piece in pieces) + ")"
