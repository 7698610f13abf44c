-- The web application's own state: who is signed in (sessions, shared by every instance)
-- and sign-ins under way (the callback may reach another instance than the start did).

-- A session is found by the SHA-256 of the cookie's secret, never by the secret itself:
-- a copy of this table signs no one in. The tokens are sealed (AES-256-GCM) with the web
-- application's own key (WEB_SESSION_KEY), bound to the session's id.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    staff_id     uuid,
    issuer       text NOT NULL,
    subject      text NOT NULL,
    tokens       bytea NOT NULL,
    csrf         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- An authorization request on its way to the identity provider and back (OIDC code flow
-- with PKCE): its state, the PKCE verifier and where to go afterwards. Ten minutes at most.
CREATE TABLE sign_ins_under_way (
    state      text PRIMARY KEY,
    verifier   text NOT NULL,
    nonce      text NOT NULL,
    return_to  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
