-- An audit can move: keep the date it moved from (null while it never moved).
ALTER TABLE audits ADD COLUMN rescheduled_from date;
