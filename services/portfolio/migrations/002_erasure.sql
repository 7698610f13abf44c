-- Who was erased (the privacy officer's decision, recorded beside its effect): nothing
-- about them is stored again, whatever brings it (a late event, a replay of dead letters,
-- the rebuild, which carries this table over before it replays).
CREATE TABLE erased_staff (
    staff_id  uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now(),
    erased_by uuid        NOT NULL,
    reason    text        NOT NULL
);

CREATE FUNCTION refuse_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_staff WHERE staff_id = NEW.staff_id) THEN
        RETURN NULL;  -- the row is not stored, and nothing fails
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER entries_refuse_the_erased BEFORE INSERT OR UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION refuse_the_erased();
CREATE TRIGGER evidence_files_refuse_the_erased BEFORE INSERT OR UPDATE ON evidence_files
    FOR EACH ROW EXECUTE FUNCTION refuse_the_erased();
CREATE TRIGGER profiles_refuse_the_erased BEFORE INSERT OR UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION refuse_the_erased();
CREATE TRIGGER plans_refuse_the_erased BEFORE INSERT OR UPDATE ON plans
    FOR EACH ROW EXECUTE FUNCTION refuse_the_erased();

-- A journal row may be about several people (an audit's team): the erased are taken out
-- of it, and a row about no one else is not stored.
CREATE FUNCTION journal_without_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.staff_ids := ARRAY(
        SELECT s FROM unnest(NEW.staff_ids) AS s
        WHERE NOT EXISTS (SELECT 1 FROM erased_staff e WHERE e.staff_id = s)
    );
    IF cardinality(NEW.staff_ids) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER journal_without_the_erased BEFORE INSERT OR UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_without_the_erased();
