-- Who was erased (the privacy officer's decision, recorded beside its effect): nothing
-- about them is stored again, whatever brings it (a late event, a replay of dead letters,
-- the rebuild, which carries this table over before it replays).
CREATE TABLE erased_staff (
    staff_id  uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now(),
    erased_by uuid        NOT NULL,
    reason    text        NOT NULL
);

-- Every write about a person takes that person's lock, shared; an erasure takes it alone
-- (Store.erase), so a write under way when the erasure starts ends first and is erased
-- with the rest, and one that starts later sees the erasure.
CREATE FUNCTION person_lock(staff_id uuid) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT hashtextextended('erasure:' || staff_id::text, 0)
$$;

CREATE FUNCTION refuse_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(person_lock(NEW.staff_id));
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
-- of it, and a row that was about them alone is not stored (one about no one is).
CREATE FUNCTION journal_without_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    about integer := cardinality(NEW.staff_ids);
BEGIN
    PERFORM pg_advisory_xact_lock_shared(person_lock(s)) FROM unnest(NEW.staff_ids) AS s;
    NEW.staff_ids := ARRAY(
        SELECT s FROM unnest(NEW.staff_ids) AS s
        WHERE NOT EXISTS (SELECT 1 FROM erased_staff e WHERE e.staff_id = s)
    );
    IF about > 0 AND cardinality(NEW.staff_ids) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER journal_without_the_erased BEFORE INSERT OR UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_without_the_erased();
