"""The step library's rows in the role × URL matrix (tests/test_access_matrix.py).

Objects are Oak's, made by Oak's coaching lead. Every active member of a school may browse the
library (trust_admin belongs to no school, so 403); only coaching leads and school admins
curate (others 403). outsider curates at Elm: Elm's list and new-step pages are 200 for them,
but every Oak step is 404.
"""

from __future__ import annotations

from typing import Any

from coachroom.library.models import LibraryStep
from tests.access import Row
from tests.library.factories import LibraryStepFactory

MEMBERS = {"trust_admin": 403}
CURATORS = {"lead": 200, "admin": 200, "outsider": 200}
OAK_STEP_FOR_CURATORS = {"lead": 200, "admin": 200, "outsider": 404}


def oak_step(o: dict[str, Any], **fields: Any) -> LibraryStep:
    step: LibraryStep = LibraryStepFactory(
        school=o["year"].school, created_by=o["lead"], title="Oak's own step", **fields
    )
    return step


LIBRARY_ROWS: dict[str, Row] = {
    "library:step-list": Row(MEMBERS, default=200),
    "library:step-detail": Row(
        {"trust_admin": 403, "outsider": 404}, default=200, args=lambda o: [oak_step(o).pk]
    ),
    "library:step-create": Row(CURATORS),
    "library:step-copy": Row(OAK_STEP_FOR_CURATORS, args=lambda o: [oak_step(o).pk]),
    "library:step-edit": Row(OAK_STEP_FOR_CURATORS, args=lambda o: [oak_step(o).pk]),
    "library:step-archive": Row(OAK_STEP_FOR_CURATORS, args=lambda o: [oak_step(o).pk]),
    "library:step-restore": Row(
        {"lead": 302, "admin": 302, "outsider": 404},
        method="post",
        args=lambda o: [oak_step(o, is_archived=True).pk],
    ),
}
