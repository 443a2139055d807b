"""One row of the role × URL access matrix (see tests/test_access_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    expect: dict[str, int]
    default: int = 403  # for a signed-in person not named in `expect`
    method: str = "get"
    args: Callable[[dict[str, Any]], list[Any]] = field(default=lambda objs: [])
    anonymous: int = 302
