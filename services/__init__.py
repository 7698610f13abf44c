"""huisacademie's services: catalogue, enrollment, portfolio, and their shared plumbing."""
