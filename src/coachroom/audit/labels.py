"""Plain-English words for audit codes, and the kinds of event people filter by.

Codes are namespaced (`coaching.observation.viewed`). A code nobody has named yet still reads
sensibly ("Observation: viewed"), and still lands in a kind, because kinds are rules on the code
rather than a list of codes: a new `records.profile.exported` is an export on the day it ships.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.utils import timezone

BULK_ACCESS = "audit.bulk_access"
LOG_EXPORTED = "audit.log.exported"

LABELS: dict[str, str] = {
    # Reads of coaching notes: the teacher can see each of these.
    "coaching.observation.viewed": "Viewed a drop-in",
    "coaching.feedbackmeeting.viewed": "Viewed a feedback meeting",
    "coaching.actionstep.viewed": "Viewed an action step",
    "coaching.timeline.viewed": "Viewed a coaching timeline",
    "coaching.walk.viewed": "Viewed a learning walk",
    "coaching.learningwalk.viewed": "Viewed a learning walk",
    "coaching.walkvisit.viewed": "Viewed a learning-walk visit",
    "coaching.coachingreview.viewed": "Viewed a coaching review",
    "programme.goal.viewed": "Viewed a goal",
    "programme.goals.viewed": "Viewed a teacher's goals",
    "programme.sessionoccurrence.viewed": "Viewed why a coaching session did not happen",
    BULK_ACCESS: "Viewed the coaching notes of many teachers within an hour",
    # Changes to coaching records.
    "coaching.observation.started": "Started a drop-in",
    "coaching.observation.submitted": "Saved a drop-in",
    "coaching.meeting.held": "Recorded a feedback meeting",
    "induction.tag.added": "Tagged a step or meeting with the early career framework",
    "induction.tag.removed": "Removed a framework tag from a step or meeting",
    "induction.framework.imported": "Loaded the early career framework's statements",
    "coaching.meeting.reflected": "Added a reflection to a feedback meeting",
    "coaching.step.proposed": "Proposed an action step",
    "coaching.step.counter_proposed": "Suggested a different action step",
    "coaching.step.confirmed": "Agreed an action step",
    "coaching.step.tried": "Marked an action step as tried",
    "coaching.step.refined": "Refined an action step",
    "coaching.step.paused": "Paused an action step",
    "coaching.step.resumed": "Resumed an action step",
    "coaching.step.withdrawn": "Withdrew an action step",
    "coaching.step.reopened": "Reopened an action step",
    "coaching.step.secured": "Secured an action step",
    "coaching.step.archived": "Archived an action step",
    "coaching.self_review.recorded": "Reviewed their own lesson against their step",
    "coaching.self_review.shared": "Shared a self-review with their coach",
    "coaching.self_review.unshared": "Stopped sharing a self-review with their coach",
    "coaching.selfreview.viewed": "Viewed a self-review",
    "coaching.walk.planned": "Planned a learning walk",
    "coaching.walk_visit.recorded": "Recorded a learning-walk visit",
    "coaching.review.assigned": "Arranged a review of a coach's coaching",
    "coaching.review.completed": "Completed a review of a coach's coaching",
    "coaching.thanks.sent": "Thanked a coach",
    "programme.goal.created": "Set a goal",
    "programme.goal.updated": "Updated a goal",
    "programme.goal.reading_added": "Added a reading to a goal's measure",
    "programme.slot.created": "Set up a protected coaching slot",
    "programme.slot.moved": "Moved a protected coaching slot",
    "programme.slot.ended": "Ended a protected coaching slot",
    "programme.slot.cadence_changed": "Changed how often a protected coaching slot comes round",
    "programme.cadence.proposed": "Proposed that a coaching pair meet less often",
    "programme.cadence.agreed": "Agreed that a coaching pair meet less often",
    "programme.cadence.declined": "Declined to change how often a coaching pair meets",
    "programme.cadence.withdrawn": "Withdrew a proposal to change how often a pair meets",
    "programme.cadence.stepped_up": "Moved a coaching pair back to meeting more often",
    "programme.session.booked": "Booked a drop-in agreed at a feedback meeting",
    "programme.session.held": "Recorded a coaching session as held",
    "programme.session.rescheduled": "Rescheduled a coaching session",
    "programme.session.missed": "Recorded a missed coaching session",
    "programme.session.cancelled": "Cancelled a coaching session",
    "programme.session.cover_assigned": "Arranged cover for a coaching session",
    # Exports and sharing.
    "programme.completion.exported": "Downloaded completion figures",
    "programme.dashboard.exported": "Downloaded the school's coaching summary",
    "programme.trust_dashboard.exported": "Downloaded the trust's coaching summary",
    LOG_EXPORTED: "Downloaded the audit log",
    "accounts.pair.history_shared": "Shared earlier coaching with a new coach",
    "accounts.pair.history_unshared": "Stopped sharing earlier coaching with a coach",
    "coaching.meeting.submitted_for_review": "Shared a feedback meeting for review",
    "coaching.meeting.review_withdrawn": "Withdrew a feedback meeting from review",
    "records.subject_access.exported": "Downloaded everything held about a person",
    "records.pdf.exported": "Downloaded a coaching record as a PDF",
    "records.school.exported": "Exported the school's coaching records",
    "records.research.exported": "Made a pseudonymised research export",
    "records.activity.exported": "Downloaded activity figures",
    # Imports.
    "imports.oneroster.applied": "Imported staff and classes from a OneRoster file",
    "imports.staff_csv.applied": "Imported staff from a spreadsheet",
    # Staff, library and settings.
    "accounts.staff.invited": "Invited a member of staff",
    "accounts.staff.reinvited": "Sent a new invitation to a member of staff",
    "accounts.staff.updated": "Changed a member of staff's details or roles",
    "accounts.staff.deactivated": "Deactivated a member of staff",
    "accounts.staff.reactivated": "Reactivated a member of staff",
    "accounts.pair.created": "Paired a coach with a teacher",
    "accounts.pair.ended": "Ended a coaching pair",
    "accounts.pair.line_manager_set": "Recorded whether a coach line-manages their teacher",
    "accounts.pair.made_mentoring": "Made a coaching pair ECT mentoring",
    "induction.set_up": "Set up an early-career teacher's induction",
    "induction.updated": "Changed an early-career teacher's induction",
    "induction.absence.added": "Recorded an absence in an induction",
    "induction.absence.removed": "Removed an absence from an induction",
    "induction.time_off.recorded": "Recorded an ECT's time off timetable",
    "induction.mentoring.shared": "Shared their mentoring records with their induction tutor",
    "induction.mentoring.unshared": "Stopped sharing their mentoring records with their tutor",
    "induction.support_plan.opened": "Opened a support plan for an ECT",
    "induction.support_plan.updated": "Changed an ECT's support plan",
    "induction.support_plan.closed": "Closed an ECT's support plan",
    "induction.support_plan.viewed": "Viewed an ECT's support plan",
    "induction.review.started": "Started an induction review or assessment",
    "induction.review.written": "Wrote an induction review or assessment",
    "induction.review.signed_by_tutor": "Signed an induction review as the induction tutor",
    "induction.review.signed_by_head": "Signed an induction review for the headteacher",
    "induction.review.signed_by_ect": "Signed their induction review as the ECT",
    "induction.review.viewed": "Viewed an induction review or assessment",
    "induction.review.exported": "Downloaded an induction review as a PDF",
    "induction.cohort.exported": "Downloaded the induction reviews' status as CSV",
    "induction.record.exported": "Exported an ECT's induction record to take to a new school",
    "induction.earlier_record.imported": "Attached an ECT's record from an earlier school",
    "induction.earlier_record.viewed": "Viewed an ECT's record from an earlier school",
    "induction.earlier_record.exported": "Downloaded the PDF of an earlier school's record",
    "accounts.year.created": "Set up an academic year",
    "accounts.year.closed": "Closed an academic year, ending its coaching pairs",
    "accounts.staff.invite_refused": "Tried to invite someone from outside the school",
    "accounts.email_change.requested": "Asked to change an email address",
    "accounts.email_change.refused": "Asked to change an email address to one already in use",
    "accounts.email_change.confirmed": "Confirmed a new email address",
    "accounts.password.reset": "Reset a password by email link",
    "accounts.password_reset.sent": "Sent a password reset link",
    "accounts.password_reset.throttled": "Held back a password reset email (too many this hour)",
    "accounts.staff.invitation_sent": "Sent an invitation email",
    "accounts.staff.invitation_throttled": "Held back an invitation email (too many this hour)",
    "accounts.school.settings_changed": "Changed the school's settings",
    "provisioning.token.created": "Created a SCIM token for staff provisioning",
    "provisioning.token.revoked": "Revoked a SCIM token for staff provisioning",
    "provisioning.person.linked": "Linked a member of staff to the school's directory",
    "provisioning.person.email_changed": "Changed a member of staff's email address",
    "provisioning.person.identity_kept": (
        "Left a name or email as it was (the person also belongs to another school)"
    ),
    "provisioning.group.linked": "Linked a directory group to a Coachroom role",
    "provisioning.group.unlinked": "Unlinked a directory group from a Coachroom role",
    "library.step.created": "Added a step to the library",
    "library.step.copied": "Copied a library step to adapt it",
    "library.step.updated": "Edited a library step",
    "library.step.archived": "Archived a library step",
    "library.step.hidden": "Hid a shared library step",
    "library.step.restored": "Restored an archived library step",
    "library.step.unhidden": "Showed a hidden library step again",
    "programme.calendar.regenerated": "Reset a calendar subscription link",
    "programme.priority.created": "Set a whole-school priority",
    "programme.priority.updated": "Edited a whole-school priority",
    "programme.priority.archived": "Archived a whole-school priority",
    "programme.priority.restored": "Restored a whole-school priority",
    "records.retention.applied": "Deleted records past the school's retention period",
    "api.token.created": "Made an API token",
    "api.token.revoked": "Revoked an API token",
    "api.timeline.exported": "Read their coaching timeline through the API",
    "api.completion_coachees.exported": "Read completion by coachee through the API",
    "api.induction_reviews.exported": "Read the induction reviews' status through the API",
    "sso.provider.created": "Set up sign-in with Microsoft, Google or another provider",
    "sso.provider.updated": "Changed the settings of a sign-in provider",
    "sso.provider.removed": "Removed a sign-in provider",
    "sso.sign_in.succeeded": "Signed in with Microsoft, Google or another provider",
    "sso.sign_in.refused": "Was refused signing in with Microsoft, Google or another provider",
    # Lesson video: recorded for the teacher alone (school=None), never in a school's log.
    "video.clip.uploaded": "Uploaded a lesson video",
    "video.clip.viewed": "Watched a lesson video",
    "video.clip.shared": "Shared a lesson video",
    "video.clip.unshared": "Stopped sharing a lesson video",
    "video.clip.kept": "Kept a lesson video past its deletion date",
    "video.clip.unkept": "Let a lesson video be deleted on its date",
    "video.clip.deleted": "Deleted a lesson video",
    "video.clip.expired": "Deleted a lesson video past its date",
    "video.comment.added": "Commented on a lesson video",
    "video.consent.given": "Let their coach upload lesson videos for them",
    "video.consent.withdrawn": "Stopped their coach uploading lesson videos for them",
}

TARGET_LABELS: dict[str, str] = {
    "video.clip": "Lesson video",
    "video.uploadconsent": "Consent to filming",
    "coaching.observation": "Drop-in",
    "coaching.feedbackmeeting": "Feedback meeting",
    "coaching.actionstep": "Action step",
    "accounts.membership": "Staff member",
    "accounts.coachingrelationship": "Coaching pair",
    "accounts.academicyear": "Academic year",
    "accounts.school": "School",
    "accounts.user": "Person",
    "library.librarystep": "Library step",
    "scheduling.scheduledslot": "Coaching slot",
    "scheduling.sessionoccurrence": "Coaching session",
    "scheduling.calendarfeed": "Calendar subscription",
    "library.priority": "Priority",
    "coaching.goal": "Goal",
    "coaching.selfreview": "Self-review",
    "leading.learningwalk": "Learning walk",
    "leading.walkvisit": "Learning-walk visit",
    "leading.coachingreview": "Coaching review",
    "leading.thanks": "Thanks",
    "induction.earlierinductionrecord": "Earlier induction record",
    "integrations.apitoken": "API token",
    "integrations.identityprovider": "Sign-in provider",
    "integrations.scimtoken": "SCIM token",
    "integrations.scimgroup": "Directory group",
}


def label_for(action: str) -> str:
    """The sentence for a code; unknown codes read as "Thing: verb"."""
    if action in LABELS:
        return LABELS[action]
    parts = action.split(".")
    if len(parts) >= 2:
        thing = parts[-2].replace("_", " ").capitalize()
        verb = parts[-1].replace("_", " ")
        return f"{thing}: {verb}"
    return action.replace("_", " ").capitalize() or "Unknown event"


def target_label(target_type: str) -> str:
    if target_type in TARGET_LABELS:
        return TARGET_LABELS[target_type]
    return target_type.rpartition(".")[2].capitalize() if target_type else ""


# Kinds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()

    def matches(self, action: str) -> bool:
        return (
            action in self.exact
            or action.startswith(self.prefixes)
            or action.endswith(self.suffixes)
        )

    def own_q(self) -> Q:
        parts = [Q(action__in=self.exact)] if self.exact else []
        parts += [Q(action__startswith=p) for p in self.prefixes]
        parts += [Q(action__endswith=s) for s in self.suffixes]
        return reduce(or_, parts)


# Order matters: an event belongs to the first kind it matches, so "coaching.timeline.viewed"
# is a view, not a change to a coaching record. `kind_of()` and `kind_q()` both follow it.
VIEWS = Kind("views", "Views of coaching notes", suffixes=(".viewed",), exact=(BULK_ACCESS,))
EXPORTS = Kind(
    "exports",
    "Exports and sharing",
    suffixes=(".exported", ".shared"),
    exact=(
        "accounts.pair.history_shared",
        "accounts.pair.history_unshared",
        "coaching.meeting.submitted_for_review",
        "coaching.meeting.review_withdrawn",
        "coaching.self_review.unshared",
    ),
)
IMPORTS = Kind(
    "imports", "Imports", prefixes=("imports.",), exact=("induction.earlier_record.imported",)
)
COACHING = Kind(
    "coaching",
    "Changes to coaching records",
    prefixes=(
        "coaching.",
        "programme.session.",
        "programme.slot.",
        "programme.cadence.",
        "induction.tag.",
        "induction.review.",
        "induction.support_plan.",
        "induction.mentoring.",
    ),
)
STAFF = Kind(
    "staff",
    "Staff, library and settings changes",
    prefixes=(
        "accounts.",
        "library.",
        "programme.",
        "records.",
        "audit.",
        "induction.",
        "sso.",
        "provisioning.",
        "api.",
    ),
)
KINDS: tuple[Kind, ...] = (VIEWS, EXPORTS, IMPORTS, COACHING, STAFF)
KIND_BY_KEY = {k.key: k for k in KINDS}
KIND_CHOICES = [(k.key, k.label) for k in KINDS]
OTHER = "Other"


def kind_of(action: str) -> Kind | None:
    for kind in KINDS:
        if kind.matches(action):
            return kind
    return None


def kind_q(*keys: str) -> Q:
    """Events of any of the given kinds, each excluding the kinds before it."""
    result: Q | None = None
    earlier: list[Q] = []
    for kind in KINDS:
        own = kind.own_q()
        if kind.key in keys:
            q = own
            for before in earlier:
                q &= ~before
            result = q if result is None else result | q
        earlier.append(own)
    return result if result is not None else Q(pk__in=[])


# Details ---------------------------------------------------------------------------------------

# Only ids, counts, dates, yes/no and short codes: never a sentence someone typed.
_TOKEN = re.compile(r"^[\w:.+\-]{1,40}$")
_KEY = re.compile(r"^[a-z][a-z_]{0,39}$")


def _when(value: str) -> str | None:
    """An ISO timestamp as the school reads it: "23 Nov 2026, 12:47"."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _safe_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if value == "***" or not _TOKEN.match(value):
            return None
        if "T" in value and value[:1].isdigit():
            return _when(value) or value
        return value.replace("_", " ")
    if isinstance(value, list | tuple):
        items = [_safe_value(v) for v in value if not isinstance(v, list | tuple | dict)]
        if items and len(items) == len(value) and len(items) <= 6 and all(items):
            return ", ".join(str(i) for i in items)
        return f"{len(value)} item{'' if len(value) == 1 else 's'}"
    return None


def safe_details(data: Any) -> list[tuple[str, str]]:
    """The event's data as (name, value) pairs that cannot carry note text."""
    if not isinstance(data, dict):
        return []
    details = []
    for key, value in sorted(data.items()):
        if not isinstance(key, str) or not _KEY.match(key):
            continue
        shown = _safe_value(value)
        if shown is not None:
            details.append((key.replace("_", " ").capitalize(), shown))
    return details
