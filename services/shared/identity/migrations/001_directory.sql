-- The directory: who each signed-in caller is in huisacademie. A token proves who someone
-- is at their board's identity provider; what they may do comes from here.

CREATE TABLE people (
    staff_id   uuid PRIMARY KEY,
    board_id   uuid NOT NULL,
    name       text NOT NULL,
    schools    uuid[] NOT NULL DEFAULT '{}',   -- where they work; a leader leads these
    academies  uuid[] NOT NULL DEFAULT '{}',   -- an academy administrator's academies
    roles      text[] NOT NULL DEFAULT '{staff}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- How a person signs in: one row per (issuer, subject); a person may have several.
CREATE TABLE sign_ins (
    issuer   text NOT NULL,
    subject  text NOT NULL,
    staff_id uuid NOT NULL REFERENCES people ON DELETE CASCADE,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sign_ins_staff ON sign_ins (staff_id);

-- Clients with a grant of their own (client credentials): external tools, monitoring.
CREATE TABLE clients (
    issuer   text NOT NULL,
    subject  text NOT NULL,
    name     text NOT NULL,
    board_id uuid,                              -- none: the operator's, about no board
    roles    text[] NOT NULL,
    PRIMARY KEY (issuer, subject)
);
