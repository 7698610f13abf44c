-- Seats held per offering, projected from enrollment.enrollments (consumer catalogue.seats).
-- No foreign key: the projection follows another service's events and must not refuse them.
CREATE TABLE seats (
    offering_id uuid PRIMARY KEY,
    taken       integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
