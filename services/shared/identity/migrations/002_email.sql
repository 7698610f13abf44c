-- Where a person is sent e-mail about their enrolments (a place moved up from the waiting
-- list, a session moved, an approval asked of a school leader). Kept with the person's
-- other directory entries, and gone with them on erasure.
ALTER TABLE people ADD COLUMN email text;
