CREATE TABLE programmes (
    programme_id uuid PRIMARY KEY,
    academy_id   uuid        NOT NULL REFERENCES academies,
    title        text        NOT NULL,
    offering_ids uuid[]      NOT NULL CHECK (cardinality(offering_ids) BETWEEN 1 AND 50),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX programmes_by_academy ON programmes (academy_id, created_at);
