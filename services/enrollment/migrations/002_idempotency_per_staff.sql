-- An Idempotency-Key is the caller's, per staff member; not one global namespace.
ALTER TABLE enrollments DROP CONSTRAINT enrollments_idempotency_key_key;
CREATE UNIQUE INDEX enrollments_idempotency ON enrollments (staff_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
