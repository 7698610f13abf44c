"""The catalogue's rules, without I/O: offerings, peer audits and programmes."""
