-- The guard of 002_erasure.sql once per statement instead of once per row: the projection
-- writes a poll's entries and journal rows in one statement each, and a PL/pgSQL call per
-- row (a lock and a lookup each) cost more than the rows themselves. The rule is the
-- same: each person written about is locked, shared, against an erasure; nothing about
-- an erased person stays stored, whatever statement wrote it. The rows a statement wrote
-- about the erased are taken out again before it ends.
CREATE FUNCTION drop_rows_of_the_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(person_lock(w.staff_id))
       FROM (SELECT DISTINCT staff_id FROM written ORDER BY staff_id) w;
    IF EXISTS (SELECT FROM written w JOIN erased_staff e USING (staff_id)) THEN
        EXECUTE format(
            'DELETE FROM %I t USING erased_staff e'
            ' WHERE t.staff_id = e.staff_id AND e.staff_id IN (SELECT staff_id FROM written)',
            TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;

-- A journal row about several people (an audit's team) loses the erased; one about them
-- alone goes (one about no one stays).
CREATE FUNCTION drop_the_erased_from_the_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(person_lock(p.staff_id))
       FROM (SELECT DISTINCT unnest(staff_ids) AS staff_id FROM written ORDER BY 1) p;
    IF EXISTS (
        SELECT FROM erased_staff
         WHERE staff_id IN (SELECT unnest(staff_ids) FROM written)
    ) THEN
        UPDATE journal j SET staff_ids = ARRAY(
            SELECT s FROM unnest(j.staff_ids) AS s
             WHERE NOT EXISTS (SELECT FROM erased_staff e WHERE e.staff_id = s))
          FROM written w
         WHERE j.seq = w.seq
           AND EXISTS (SELECT FROM erased_staff e WHERE e.staff_id = ANY(w.staff_ids));
        DELETE FROM journal j USING written w
         WHERE j.seq = w.seq AND cardinality(w.staff_ids) > 0 AND cardinality(j.staff_ids) = 0;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['entries', 'evidence_files', 'profiles', 'plans', 'departures'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_refuse_the_erased', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS written'
            ' FOR EACH STATEMENT EXECUTE FUNCTION drop_rows_of_the_erased()',
            t || '_inserted_not_erased', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS written'
            ' FOR EACH STATEMENT EXECUTE FUNCTION drop_rows_of_the_erased()',
            t || '_updated_not_erased', t);
    END LOOP;
END $$;
DROP FUNCTION refuse_the_erased();

DROP TRIGGER journal_without_the_erased ON journal;
DROP FUNCTION journal_without_the_erased();
CREATE TRIGGER journal_inserted_not_erased AFTER INSERT ON journal
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION drop_the_erased_from_the_journal();
