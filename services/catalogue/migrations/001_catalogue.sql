CREATE TABLE academies (
    academy_id uuid PRIMARY KEY,
    board_id   uuid        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE offerings (
    offering_id uuid PRIMARY KEY,
    academy_id  uuid        NOT NULL REFERENCES academies,
    details     jsonb       NOT NULL,
    status      text        NOT NULL CHECK (status IN ('published', 'withdrawn')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offerings_by_academy ON offerings (academy_id);

CREATE TABLE audits (
    audit_id   uuid PRIMARY KEY,
    school_id  uuid        NOT NULL,
    board_id   uuid        NOT NULL,
    theme      text        NOT NULL,
    audit_date date        NOT NULL,
    team       jsonb       NOT NULL,
    status     text        NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled')),
    findings   jsonb,
    credits    jsonb,
    reason     text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_by_school ON audits (school_id, audit_date);
