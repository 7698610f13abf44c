-- Enrollment's own copy of the offerings, kept from the catalogue's events.
CREATE TABLE offerings (
    offering_id uuid PRIMARY KEY,
    details     jsonb       NOT NULL,
    withdrawn   boolean     NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- First come, first served on the waiting list: a place in the queue is taken when a
-- person joins it (not when the enrollment was first asked for).
CREATE SEQUENCE waiting_list_order;

CREATE TABLE enrollments (
    enrollment_id   uuid PRIMARY KEY,
    offering_id     uuid        NOT NULL REFERENCES offerings,
    staff_id        uuid        NOT NULL,
    board_id        uuid        NOT NULL,
    role            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN (
        'interested', 'requested', 'enrolled', 'waitlisted',
        'cancelled', 'declined', 'completed', 'not_completed')),
    seq             bigserial   NOT NULL,
    queue_position  bigint,
    revision        integer     NOT NULL DEFAULT 0,
    idempotency_key text,
    completed_on    date,
    hours           numeric(8, 2),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One live enrollment per person and offering; after a cancellation one may enrol again.
CREATE UNIQUE INDEX enrollments_one_per_person ON enrollments (offering_id, staff_id)
    WHERE status NOT IN ('cancelled', 'declined');
-- An Idempotency-Key is the caller's, per staff member.
CREATE UNIQUE INDEX enrollments_idempotency ON enrollments (staff_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX enrollments_waiting ON enrollments (offering_id, queue_position)
    WHERE status = 'waitlisted';
CREATE INDEX enrollments_by_offering ON enrollments (offering_id, seq);
CREATE INDEX enrollments_by_staff ON enrollments (staff_id, created_at);

-- Seats a school leader holds for a team before the names are known; open seats of a
-- reservation count as taken.
CREATE TABLE reservations (
    reservation_id uuid PRIMARY KEY,
    offering_id    uuid        NOT NULL REFERENCES offerings,
    leader_id      uuid        NOT NULL,
    board_id       uuid        NOT NULL,
    seats          integer     NOT NULL CHECK (seats > 0),
    filled         integer     NOT NULL DEFAULT 0 CHECK (filled BETWEEN 0 AND seats),
    released       boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_open ON reservations (offering_id) WHERE NOT released;

CREATE TABLE attendance (
    enrollment_id uuid        NOT NULL REFERENCES enrollments,
    session_id    uuid        NOT NULL,
    attended      boolean     NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrollment_id, session_id)
);

-- Every event about an enrollment, kept for its history (the outbox is pruned).
CREATE TABLE enrollment_history (
    enrollment_id uuid        NOT NULL,
    seq           bigserial   NOT NULL,
    event_id      uuid        NOT NULL,
    type          text        NOT NULL,
    at            timestamptz NOT NULL,
    data          jsonb       NOT NULL,
    PRIMARY KEY (enrollment_id, seq)
);

-- Programmes, from the catalogue, and who completed which.
CREATE TABLE programmes (
    programme_id uuid PRIMARY KEY,
    title        text   NOT NULL,
    offering_ids uuid[] NOT NULL
);
CREATE INDEX programmes_by_offering ON programmes USING gin (offering_ids);
CREATE TABLE programme_completions (
    staff_id     uuid NOT NULL,
    programme_id uuid NOT NULL REFERENCES programmes,
    completed_on date NOT NULL,
    PRIMARY KEY (staff_id, programme_id)
);
