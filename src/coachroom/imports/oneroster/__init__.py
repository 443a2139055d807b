"""OneRoster 1.1 CSV: read and check the files, work out the changes, then make them.

Three steps, kept apart so that a dry run is the first two and nothing else:

1. `read_roster` (read.py, read_people.py) checks every file and row and collects every
   problem (file, line, column). Pupil, parent and guardian rows are dropped as they are read.
2. `plan_changes` (plan*.py) compares the roster with the database: which trusts, schools,
   years, terms, people and memberships to create or update, and which imported staff to
   deactivate. People are matched only among each school's own staff (accounts.identity).
3. `apply_plan` (apply.py) writes the plan. The caller wraps steps 2 and 3 in one transaction.

Getting the files out of a zip or folder, within size caps, is files.py.

The sourcedId is the key: schools and memberships keep it in `source_id` (a person's, per
school, on their membership); years and terms are mapped through `SourceRecord`.
"""

from coachroom.imports.oneroster.apply import apply_plan, deactivate_membership
from coachroom.imports.oneroster.files import (
    bundle_from_folder,
    bundle_from_zip,
    bundle_to_zip,
    max_unzipped_bytes,
    redact_bundle,
)
from coachroom.imports.oneroster.plan import plan_changes
from coachroom.imports.oneroster.plan_types import Plan
from coachroom.imports.oneroster.read import read_roster
from coachroom.imports.oneroster.roster import Roster
from coachroom.imports.oneroster.spec import Bundle
from coachroom.imports.oneroster.teaching import (
    guess_phase,
    key_stages_from_grades,
    key_stages_from_title,
)

__all__ = [
    "Bundle",
    "Plan",
    "Roster",
    "apply_plan",
    "bundle_from_folder",
    "bundle_from_zip",
    "bundle_to_zip",
    "deactivate_membership",
    "guess_phase",
    "key_stages_from_grades",
    "key_stages_from_title",
    "max_unzipped_bytes",
    "plan_changes",
    "read_roster",
    "redact_bundle",
]
