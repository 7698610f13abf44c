-- E-mail (services/web/mail): what the events say people should be told, the messages
-- made of it and sent from an outbox, and the little the web keeps to know whom to tell.

-- Who holds a seat or a place on the waiting list, per enrollment: whom to tell when an
-- offering's sessions move or it is withdrawn. Kept from enrollment's events; a row goes
-- when the enrollment ends (cancelled, declined, completed, not completed).
CREATE TABLE mail_seats (
    enrollment_id uuid PRIMARY KEY,
    staff_id      uuid NOT NULL,
    offering_id   uuid NOT NULL,
    status        text NOT NULL CHECK (status IN ('enrolled', 'waitlisted'))
);
CREATE INDEX mail_seats_offering ON mail_seats (offering_id);
CREATE INDEX mail_seats_staff ON mail_seats (staff_id);

-- The offerings as the catalogue published them (the sessions, for calendar entries), or
-- only their title as an enrollment named them, until the catalogue's event is seen.
CREATE TABLE mail_offerings (
    offering_id  uuid PRIMARY KEY,
    title        text NOT NULL,
    academy_name text NOT NULL,
    details      jsonb,
    version      integer NOT NULL DEFAULT 0,
    withdrawn    boolean NOT NULL DEFAULT false
);

-- Something to tell someone, written with the event's inbox row (so never lost, never
-- twice); made into messages by the mail job, which needs the directory for addresses,
-- names and school leaders, and then deleted. The id derives from the fact and the person.
CREATE TABLE mail_notices (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL,
    staff_id      uuid NOT NULL,
    enrollment_id uuid,
    offering_id   uuid NOT NULL,
    waitlisted    boolean NOT NULL DEFAULT false,
    removed       jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_notices_staff ON mail_notices (staff_id);

-- One row per message, sent by the mail job. The id derives from the notice and the
-- recipient: a notice made into messages twice makes no second message. `about` is the
-- staff member a message to someone else is about (a request their leader is asked to
-- approve), so that an erasure takes it too.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY,
    staff_id        uuid NOT NULL,
    about           uuid,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    calendar        bytea,
    calendar_method text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    given_up_at     timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
CREATE INDEX mail_outbox_staff ON mail_outbox (staff_id);
CREATE INDEX mail_outbox_about ON mail_outbox (about);
CREATE INDEX mail_outbox_kept ON mail_outbox (coalesce(sent_at, created_at));
