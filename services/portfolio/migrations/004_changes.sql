-- A portfolio page open in a browser updates itself: every commit that changes a staff
-- member's entries or profile announces their staff id on the channel portfolio_changed
-- (NOTIFY is delivered at commit, and only if the transaction commits). Once per statement
-- and person, not per row: the projection writes its entries a batch at a time.
CREATE FUNCTION announce_portfolio_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portfolio_changed', s.staff_id::text)
       FROM (SELECT DISTINCT staff_id FROM changed) s;
    RETURN NULL;
END $$;

CREATE TRIGGER entries_inserted AFTER INSERT ON entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION announce_portfolio_change();
CREATE TRIGGER entries_updated AFTER UPDATE ON entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION announce_portfolio_change();
CREATE TRIGGER profiles_inserted AFTER INSERT ON profiles
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION announce_portfolio_change();
CREATE TRIGGER profiles_updated AFTER UPDATE ON profiles
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION announce_portfolio_change();
