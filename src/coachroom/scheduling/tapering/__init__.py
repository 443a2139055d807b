"""Tapering: a pair moves from weekly to fortnightly to self-directed (a monthly check-in) when
the coach and the teacher agree, and back up whenever either of them wants more contact."""
