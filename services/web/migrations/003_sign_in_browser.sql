-- A sign-in is finished only in the browser that began it: the SHA-256 of a random value
-- the browser was given as a cookie when it set off (else someone could send a victim the
-- callback of a sign-in of their own, and have them write into the wrong dossier).
ALTER TABLE sign_ins_under_way ADD COLUMN browser bytea;
