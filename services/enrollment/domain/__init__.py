"""Enrollment's rules, without I/O: the way into an offering, eligibility, capacity and the
waiting list, approval, cancellation, attendance and completion, and the calendar."""
