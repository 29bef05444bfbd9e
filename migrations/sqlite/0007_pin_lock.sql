-- A young person's wrong PINs since the last right one, and when the account was locked
-- for good after too many (until the Fachberatung or Leitung gives a new PIN).
ALTER TABLE users ADD COLUMN pin_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN pin_locked_at BIGINT;
