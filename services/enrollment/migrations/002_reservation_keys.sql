-- A reservation's Idempotency-Key is the school leader's: a request sent again (a lost
-- answer, a retry through an outage) gets the reservation the first one made.
ALTER TABLE reservations ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX reservations_idempotency ON reservations (leader_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
