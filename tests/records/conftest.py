"""Fixtures for the records tests; the history they build is in `tests/records/history.py`."""

from __future__ import annotations

import pytest

from tests.records.history import History, make_history


@pytest.fixture
def history(pairing) -> History:
    return make_history(pairing)
