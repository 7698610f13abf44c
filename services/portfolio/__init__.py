"""The portfolio (competence dossier) and the schools' audit histories, built from events alone."""
