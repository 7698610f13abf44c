-- The key store: one key per staff member, wrapped by the master key. Erasing a person
-- destroys their key (wrapped becomes NULL) and keeps the row: it is the erasure register
-- every handler, rebuild and replay consults, and it names no one (the staff id is a
-- pseudonym only the directory links to a person).
CREATE TABLE subject_keys (
    subject    uuid PRIMARY KEY,
    wrapped    bytea,
    made_at    timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL))
);

CREATE FUNCTION subject_keys_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('subject_keys_erased', NEW.subject::text);
    RETURN NULL;
END $$;
CREATE TRIGGER subject_keys_erased AFTER UPDATE OF wrapped ON subject_keys
    FOR EACH ROW WHEN (NEW.wrapped IS NULL) EXECUTE FUNCTION subject_keys_erased();
