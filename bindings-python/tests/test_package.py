"""The package itself: installed (not the source tree), versioned, typed, errors shaped."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import inclusif
from inclusif import errors


def test_runs_against_the_installed_wheel() -> None:
    # tests/run.sh installs the wheel into a virtual environment: the package must come
    # from site-packages, not from bindings-python/python.
    assert "site-packages" in Path(inclusif.__file__).parts
    assert (Path(inclusif.__file__).parent / "py.typed").exists()
    assert (Path(inclusif.__file__).parent / "_inclusif.pyi").exists()


def test_version_is_the_crate_version() -> None:
    assert inclusif.__version__.count(".") == 2


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (errors.VoucherError, (inclusif.InclusifError,)),
        (errors.VoucherValidationError, (errors.VoucherError, ValueError, inclusif.ValidationError)),
        (errors.FundingValidationError, (errors.FundingError, ValueError)),
        (errors.MandateValidationError, (errors.MandateError, ValueError)),
        (errors.VenueValidationError, (errors.VenueError, ValueError)),
    ],
)
def test_error_hierarchy(cls: type, bases: tuple[type, ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)
    assert not issubclass(errors.VoucherError, ValueError)


def test_errors_pickle_with_their_code() -> None:
    e = errors.VoucherValidationError("bad_signature", "signature: does not verify")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is errors.VoucherValidationError
    assert (back.code, back.message, str(back)) == (e.code, e.message, str(e))
    assert repr(back) == "VoucherValidationError(code='bad_signature', message='signature: does not verify')"
