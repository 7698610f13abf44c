-- Retention by purpose (docs/privacy.md). A board keeps a person's dossier for its
-- retention period after they leave, then the retention job erases them; without a
-- board's own period, PORTFOLIO_RETENTION_AFTER_LEAVING_DAYS holds.
CREATE TABLE board_retention (
    board_id           uuid    PRIMARY KEY,
    after_leaving_days integer NOT NULL CHECK (after_leaving_days BETWEEN 0 AND 3650)
);

-- Who left, and when (StaffLeft): the start of their retention period.
CREATE TABLE departures (
    staff_id uuid PRIMARY KEY,
    board_id uuid NOT NULL,
    left_on  date NOT NULL
);
CREATE TRIGGER departures_refuse_the_erased BEFORE INSERT OR UPDATE ON departures
    FOR EACH ROW EXECUTE FUNCTION refuse_the_erased();

-- An erasure asked for and not yet finished: its steps span the key store, this database
-- and the directory, so one that fails part-way is finished by the retention job.
CREATE TABLE pending_erasures (
    staff_id     uuid        PRIMARY KEY,
    requested_by uuid,                    -- none: the retention job
    reason       text        NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- An erasure by the retention job is no one's decision but the board's period.
ALTER TABLE erased_staff ALTER COLUMN erased_by DROP NOT NULL;
