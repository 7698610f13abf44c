"""Enrollment: staff enrol, wait, cancel and complete; seats are never overbooked."""
