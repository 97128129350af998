"""Old module paths still import, with a DeprecationWarning, as the very module they moved to."""

from __future__ import annotations

import importlib
import sys

import pytest

import vaxpass_core
from vaxpass_core._moved import MOVED, install


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_path_warns_and_is_the_new_module(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__name__ == new  # tracebacks and pickles name the new home


def test_from_import_of_an_old_name_works() -> None:
    sys.modules.pop("vaxpass_core.cose", None)
    vars(vaxpass_core).pop("cose", None)
    with pytest.warns(DeprecationWarning, match=r"vaxpass_core\.hazmat\.cose"):
        from vaxpass_core import cose
    from vaxpass_core.hazmat import cose as new

    assert cose is new


def test_other_imports_are_left_alone() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("vaxpass_core.no_such_module")


def test_installed_once() -> None:
    before = list(sys.meta_path)
    install()
    install()
    assert sys.meta_path == before
