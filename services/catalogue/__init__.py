"""The catalogue: academies publish offerings and plan peer audits."""
