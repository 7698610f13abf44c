-- Enrollment's own copy of the offerings, kept from the catalogue's events.
CREATE TABLE offerings (
    offering_id uuid PRIMARY KEY,
    snapshot    jsonb       NOT NULL,
    capacity    integer     CHECK (capacity IS NULL OR capacity > 0),
    withdrawn   boolean     NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollments (
    enrollment_id   uuid PRIMARY KEY,
    offering_id     uuid        NOT NULL REFERENCES offerings,
    staff_id        uuid        NOT NULL,
    status          text        NOT NULL
        CHECK (status IN ('enrolled', 'waitlisted', 'cancelled', 'completed')),
    -- First come, first served: the waiting list is ordered by seq.
    seq             bigserial   NOT NULL,
    idempotency_key text        UNIQUE,
    completed_on    date,
    hours           numeric(8, 2),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One live enrollment per person and offering; after a cancellation one may enrol again.
CREATE UNIQUE INDEX enrollments_one_per_person ON enrollments (offering_id, staff_id)
    WHERE status <> 'cancelled';
CREATE INDEX enrollments_waiting ON enrollments (offering_id, seq) WHERE status = 'waitlisted';
CREATE INDEX enrollments_by_staff ON enrollments (staff_id, created_at);
