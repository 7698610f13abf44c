"""The portfolio's rules, without I/O: entries from events and the fold that builds a portfolio,
the hours ledger per school year, targets, plans and overviews, and audit histories."""
