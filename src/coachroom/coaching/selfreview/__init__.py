"""Self-review: a teacher checks their own lesson (from a clip of it, or from memory) against
their step's "what it looks like" points, then decides where the step goes next."""
