-- Who was erased (PersonErased): their enrolments stay, as facts about seats under an id
-- no one can link to a person any more; their history (which holds reasons in clear) and
-- their calendar feed go, and are never stored again.
CREATE TABLE erased_staff (
    staff_id  uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

CREATE FUNCTION history_refuses_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM enrollments e JOIN erased_staff x USING (staff_id)
               WHERE e.enrollment_id = NEW.enrollment_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER history_refuses_the_erased BEFORE INSERT OR UPDATE ON enrollment_history
    FOR EACH ROW EXECUTE FUNCTION history_refuses_the_erased();

CREATE FUNCTION feeds_refuse_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_staff WHERE staff_id = NEW.staff_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER feeds_refuse_the_erased BEFORE INSERT OR UPDATE ON calendar_feeds
    FOR EACH ROW EXECUTE FUNCTION feeds_refuse_the_erased();
