from __future__ import annotations

import pickle

import pytest

import vaxpass_core as vp
from vaxpass_core import errors


def test_all_is_complete() -> None:
    for name in vp.__all__:
        assert hasattr(vp, name), name
    assert len(set(vp.__all__)) == len(vp.__all__)


def test_every_code_has_exactly_one_class() -> None:
    owners = {
        cls.code: cls
        for name in errors.__all__
        if isinstance(cls := getattr(errors, name), type)
        and issubclass(cls, errors.VaxpassError)
        and "code" in cls.__dict__
    }
    assert set(owners) == set(errors.Code)
    for code, cls in owners.items():
        assert errors.VaxpassError.for_code(code) is cls
        assert errors.VaxpassError.for_code(code.value) is cls


def test_codes_are_stable_strings() -> None:
    # A sample of the contract in DESIGN.md; renaming any of these breaks outside code.
    for value in ("hc1.prefix", "cose.algorithm", "facility.mismatch", "revoked", "key.usage"):
        assert errors.Code(value).value == value


def test_abstract_errors_refuse_to_be_raised() -> None:
    with pytest.raises(TypeError):
        errors.VaxpassError("x")
    with pytest.raises(TypeError):
        errors.HC1Error("x")


def test_errors_keep_message_and_pickle() -> None:
    exc = errors.InvalidBase45("bad character '!' at 3")
    assert str(exc) == "bad character '!' at 3"
    assert isinstance(exc, ValueError)
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is errors.InvalidBase45
    assert again.code is errors.Code.HC1_BASE45
    assert "hc1.base45" in repr(exc)


def test_a_code_cannot_be_claimed_twice() -> None:
    with pytest.raises(TypeError):

        class Again(errors.VaxpassError):  # pragma: no cover - the class statement raises
            code = errors.Code.REVOKED
