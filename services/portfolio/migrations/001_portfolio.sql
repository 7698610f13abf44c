-- One row per activity in a staff member's portfolio: an enrollment, or audit work.
CREATE TABLE entries (
    entry_id      uuid PRIMARY KEY,
    staff_id      uuid        NOT NULL,
    source        text        NOT NULL CHECK (source IN ('enrollment', 'audit', 'staff')),
    status        text        NOT NULL,
    offering_id   uuid,
    title         text        NOT NULL,
    academy_id    uuid,
    academy_name  text        NOT NULL DEFAULT '',
    kind          text        NOT NULL,
    domains       text[]      NOT NULL DEFAULT '{}',
    goal_tags     text[]      NOT NULL DEFAULT '{}',
    hours         numeric(8, 2),
    completed_on  date,
    school_year   text,
    detail        jsonb       NOT NULL DEFAULT '{}',
    evidence      jsonb       NOT NULL DEFAULT '[]',
    reflections   jsonb       NOT NULL DEFAULT '[]',
    notes         jsonb       NOT NULL DEFAULT '[]',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entries_by_staff ON entries (staff_id, completed_on);

-- Each school's audit history.
CREATE TABLE audits (
    audit_id   uuid PRIMARY KEY,
    school_id  uuid        NOT NULL,
    board_id   uuid        NOT NULL,
    theme      text        NOT NULL,
    audit_date date        NOT NULL,
    status     text        NOT NULL,
    team       jsonb       NOT NULL,
    findings   jsonb,
    reason     text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_by_school ON audits (school_id, audit_date);

-- Every event the portfolio applied or made, in order: the as-of view replays it.
CREATE TABLE journal (
    seq       bigserial   PRIMARY KEY,
    event_id  uuid        NOT NULL UNIQUE,
    type      text        NOT NULL,
    at        timestamptz NOT NULL,
    staff_ids uuid[]      NOT NULL,
    data      jsonb       NOT NULL
);
CREATE INDEX journal_by_staff ON journal USING gin (staff_ids);

-- Evidence files staff upload for their entries.
CREATE TABLE evidence_files (
    evidence_id uuid PRIMARY KEY,
    staff_id    uuid  NOT NULL,
    file_name   text  NOT NULL,
    media_type  text  NOT NULL,
    content     bytea NOT NULL
);

-- What a school did about each point to improve from an audit.
CREATE TABLE follow_ups (
    follow_up_id uuid PRIMARY KEY,
    audit_id     uuid        NOT NULL,
    point_index  integer     NOT NULL,
    action       text        NOT NULL,
    closed       boolean     NOT NULL,
    recorded_by  uuid        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_by_audit ON follow_ups (audit_id, recorded_at);

-- Who a staff member is, for their target; and each board's targets per role.
CREATE TABLE profiles (
    staff_id uuid PRIMARY KEY,
    board_id uuid    NOT NULL,
    role     text    NOT NULL,
    sector   text    NOT NULL,
    fte      numeric(4, 3) NOT NULL,
    school_ids uuid[] NOT NULL DEFAULT '{}',
    team     text    NOT NULL DEFAULT ''
);
CREATE INDEX profiles_by_school ON profiles USING gin (school_ids);

-- Personal development plans (POP), one per staff member and school year.
CREATE TABLE plans (
    staff_id    uuid  NOT NULL,
    school_year text  NOT NULL,
    goals       jsonb NOT NULL,
    PRIMARY KEY (staff_id, school_year)
);
CREATE TABLE board_targets (
    board_id       uuid    NOT NULL,
    role           text    NOT NULL,
    hours_per_year numeric(7, 2) NOT NULL CHECK (hours_per_year >= 0),
    PRIMARY KEY (board_id, role)
);
