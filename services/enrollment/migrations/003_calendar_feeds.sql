-- A person's calendar feed: calendar applications cannot send a bearer token, so the feed
-- is found by a secret in its URL. Only its SHA-256 is kept; rotating replaces it, and the
-- old URL stops working.
CREATE TABLE calendar_feeds (
    staff_id      uuid PRIMARY KEY,
    secret_sha256 bytea NOT NULL UNIQUE,
    rotated_at    timestamptz NOT NULL DEFAULT now()
);
