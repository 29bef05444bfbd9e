-- Outbox key pairs by key id: the current one and the retired ones, whose items phones
-- may still deliver. The private halves are stored wrapped under a key file that is not
-- in the database; a key from before this migration is marked `plain.` and wrapped by the
-- server at its next start-up.
CREATE TABLE outbox_keys (
    key_id          TEXT PRIMARY KEY NOT NULL,
    public_key      TEXT NOT NULL,
    private_key     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    retired_at      BIGINT,
    -- 1 for the current key, NULL once retired: the unique index allows one current key.
    current_marker  BIGINT CHECK (current_marker = 1)
);
CREATE UNIQUE INDEX outbox_keys_one_current ON outbox_keys (current_marker);

INSERT INTO outbox_keys (key_id, public_key, private_key, created_at, retired_at, current_marker)
    SELECT key_id, public_key, 'plain.' || private_key, created_at, NULL, 1 FROM server_keys WHERE purpose = 'outbox';

DROP TABLE server_keys;
