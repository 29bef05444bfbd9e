-- A password someone else chose (a new account, a reset by Admin or Leitung) is replaced
-- by its owner at the next login; when and by whom it was last reset, for the notice the
-- owner sees then. `password_reset_by` is an account id without a foreign key: a restore
-- inserts accounts in any order.
ALTER TABLE users ADD COLUMN password_change_required BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_reset_at BIGINT;
ALTER TABLE users ADD COLUMN password_reset_by TEXT;
-- The browser of a session in words its owner recognises ("Firefox auf Android"), for
-- the list of their own sessions.
ALTER TABLE sessions ADD COLUMN device TEXT;
