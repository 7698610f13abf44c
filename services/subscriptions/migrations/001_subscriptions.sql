-- The subscriptions service: external tools' subscriptions, the events it has read (kept
-- for replays and backfills), and each subscriber's deliveries with their attempts.

CREATE TABLE subscriptions (
    id             uuid PRIMARY KEY,
    board_id       uuid NOT NULL,
    schools        uuid[] NOT NULL DEFAULT '{}',
    url            text NOT NULL,
    format         text NOT NULL CHECK (format IN ('webhook', 'xapi')),
    event_types    text[] NOT NULL,
    description    text NOT NULL DEFAULT '',
    -- awaiting_consent: made with a request for history, which goes out before any live
    -- event once the board's privacy officer consents.
    status         text NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'paused', 'failing', 'awaiting_consent')),
    failing_reason text,
    -- A learning record store's HTTP basic credentials (xapi only): sent with every
    -- statement, so kept as given; never shown again after they are set.
    lrs_username   text,
    lrs_password   text,
    -- How far back a replay may go: when it was made, or an earlier point a backfill the
    -- board's privacy officer consented to reached.
    history_from   timestamptz NOT NULL DEFAULT now(),
    -- The last event kept when it was made: later ones reach it live, these only as history.
    live_from_seq  bigint NOT NULL DEFAULT 0,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_board ON subscriptions (board_id);

-- Signing secrets (whsec_…): the newest signs; one rotated out signs too until it expires.
CREATE TABLE secrets (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    secret          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at      timestamptz,
    PRIMARY KEY (subscription_id, created_at)
);

-- Every event read, as it came (what people wrote still sealed), with whose it is.
CREATE TABLE events (
    seq         bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    type        text NOT NULL,
    source      text NOT NULL,
    subject     text NOT NULL,
    key         text NOT NULL,
    time        timestamptz NOT NULL,
    board_id    uuid,
    schools     uuid[] NOT NULL DEFAULT '{}',
    staff_id    uuid,
    -- Everyone it makes an xAPI statement about (an audit: each auditor).
    people      uuid[] NOT NULL DEFAULT '{}',
    data        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    erased      boolean NOT NULL DEFAULT false
);
CREATE INDEX events_board ON events (board_id, seq);
CREATE INDEX events_person ON events (staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX events_people ON events USING gin (people);
CREATE INDEX events_received ON events (received_at);

-- Who was erased: an event about them that comes later (a dead letter sent back, say) is
-- kept and delivered no more.
CREATE TABLE erased_staff (
    staff_id  uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);

-- Whose the things are that some events name without saying (an offering, an academy,
-- an audit, a school), as earlier events taught.
CREATE TABLE known_owners (
    kind     text NOT NULL,
    id       uuid NOT NULL,
    board_id uuid NOT NULL,
    schools  uuid[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (kind, id)
);

-- One event for one subscriber. The undelivered ones of one subscription and key go out
-- in the order of their events, one at a time.
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    seq             bigint NOT NULL REFERENCES events ON DELETE CASCADE,
    key             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    first_failed_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    -- An erasure sent to a learning record store: the events whose statements it voids.
    voids           uuid[] NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX deliveries_undelivered_once ON deliveries (subscription_id, seq)
    WHERE delivered_at IS NULL;
CREATE INDEX deliveries_queue ON deliveries (subscription_id, key, seq)
    WHERE delivered_at IS NULL;

-- One queue per subscription and key, while it has deliveries waiting: the unit that is
-- leased, so one delivery of a key is in flight at a time, whatever else is queued.
CREATE TABLE queues (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    key             text NOT NULL,
    waiting         integer NOT NULL,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    lease           uuid,
    PRIMARY KEY (subscription_id, key)
);
CREATE INDEX queues_due ON queues (next_attempt_at);
CREATE INDEX queues_in_flight ON queues (subscription_id) WHERE lease IS NOT NULL;
CREATE FUNCTION delivery_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queues (subscription_id, key, waiting) VALUES (NEW.subscription_id, NEW.key, 1)
    ON CONFLICT (subscription_id, key) DO UPDATE SET waiting = queues.waiting + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER delivery_queued AFTER INSERT ON deliveries
    FOR EACH ROW EXECUTE FUNCTION delivery_queued();
CREATE INDEX deliveries_log ON deliveries (subscription_id, id DESC);
CREATE INDEX deliveries_delivered ON deliveries (delivered_at) WHERE delivered_at IS NOT NULL;

-- Who has had (or is to have) events about whom: an erasure reaches each of them, whoever
-- employs the person by then. Forgotten with the erasure.
CREATE TABLE recipients (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    staff_id        uuid NOT NULL,
    PRIMARY KEY (staff_id, subscription_id)
);
CREATE FUNCTION delivery_recipients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recipients (subscription_id, staff_id)
    SELECT NEW.subscription_id, person
    FROM events e, unnest(array_append(e.people, e.staff_id)) AS person
    WHERE e.seq = NEW.seq AND person IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM erased_staff x WHERE x.staff_id = person)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER delivery_recipients AFTER INSERT ON deliveries
    FOR EACH ROW EXECUTE FUNCTION delivery_recipients();

-- The xAPI statements a learning record store was sent, by whom they are about: what an
-- erasure voids there. Kept beyond the delivery log, until the voiding is delivered.
CREATE TABLE xapi_sent (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    staff_id        uuid NOT NULL,
    event_id        uuid NOT NULL,
    PRIMARY KEY (subscription_id, staff_id, event_id)
);

CREATE TABLE attempts (
    delivery_id bigint NOT NULL REFERENCES deliveries ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    status      integer,
    error       text,
    duration_ms double precision NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, at);

-- A request for events from before a subscription existed, and the consent of the
-- board's privacy officer that it needs.
CREATE TABLE history_requests (
    id              uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    since           timestamptz,
    requested_by    text NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    consented_by    text,
    consented_at    timestamptz,
    queued          integer
);

-- Wakes the delivery workers when there is something to deliver.
CREATE FUNCTION deliveries_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('deliveries_queued', '');
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_queued AFTER INSERT ON deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION deliveries_queued();
