"""Signals the coaching cycle sends, so that scheduling can count sessions as held without
the coaching app depending on it."""

from django.dispatch import Signal

# sender=Observation, observation=..., by=...
observation_submitted = Signal()
# sender=FeedbackMeeting, meeting=..., by=...
meeting_held = Signal()
