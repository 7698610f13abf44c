-- Who was erased (PersonErased): their enrolments stay, as facts about seats under an id
-- no one can link to a person any more; their history (which holds reasons in clear) and
-- their calendar feed go, and are never stored again.
CREATE TABLE erased_staff (
    staff_id  uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

-- A write about a person takes their lock, shared; forgetting them takes it alone
-- (Store.forget): a write under way ends first and is forgotten with the rest.
CREATE FUNCTION person_lock(staff_id uuid) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT hashtextextended('erasure:' || staff_id::text, 0)
$$;

CREATE FUNCTION history_refuses_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    person uuid := (SELECT staff_id FROM enrollments WHERE enrollment_id = NEW.enrollment_id);
BEGIN
    IF person IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(person_lock(person));
    IF EXISTS (SELECT 1 FROM erased_staff WHERE staff_id = person) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER history_refuses_the_erased BEFORE INSERT OR UPDATE ON enrollment_history
    FOR EACH ROW EXECUTE FUNCTION history_refuses_the_erased();

CREATE FUNCTION feeds_refuse_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(person_lock(NEW.staff_id));
    IF EXISTS (SELECT 1 FROM erased_staff WHERE staff_id = NEW.staff_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER feeds_refuse_the_erased BEFORE INSERT OR UPDATE ON calendar_feeds
    FOR EACH ROW EXECUTE FUNCTION feeds_refuse_the_erased();
