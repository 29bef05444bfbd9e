-- Daily notes and visit contacts (one table of entries, every version kept), help-plan
-- goals, contact arrangements, and the server's key pair for sealed outbox items.

CREATE TABLE entries (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    group_id      TEXT NOT NULL REFERENCES groups (id),
    youth_id      TEXT REFERENCES youths (id),
    occurred_on   TEXT NOT NULL,
    category      TEXT,
    important     BIGINT NOT NULL DEFAULT 0,
    outcome       TEXT,
    author_id     TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entries_youth ON entries (youth_id, occurred_on, created_at, id);
CREATE INDEX entries_group ON entries (group_id, occurred_on);

-- Every version of an entry, the first one included. Content lives only here (JSON of the
-- kind's fields); `entries` holds what lists filter and sort by.
CREATE TABLE entry_versions (
    entry_id     TEXT NOT NULL REFERENCES entries (id),
    version      BIGINT NOT NULL,
    occurred_on  TEXT NOT NULL,
    body         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    author_id    TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (entry_id, version)
);

-- Versions are history: nobody changes or deletes them.
CREATE TRIGGER entry_versions_no_update BEFORE UPDATE ON entry_versions
BEGIN
    SELECT RAISE(ABORT, 'entry_versions is append-only');
END;
CREATE TRIGGER entry_versions_no_delete BEFORE DELETE ON entry_versions
BEGIN
    SELECT RAISE(ABORT, 'entry_versions is append-only');
END;

CREATE TABLE goals (
    id           TEXT PRIMARY KEY NOT NULL,
    youth_id     TEXT NOT NULL REFERENCES youths (id),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    review_on    TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX goals_youth ON goals (youth_id, created_at);

CREATE TABLE contact_arrangements (
    youth_id    TEXT PRIMARY KEY NOT NULL REFERENCES youths (id),
    times       BIGINT NOT NULL,
    period      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    supervised  BIGINT NOT NULL,
    note        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id)
);

-- The key pair devices seal outbox items to. One row per purpose; the first instance to
-- start creates it, every other instance reads it.
CREATE TABLE server_keys (
    purpose      TEXT PRIMARY KEY NOT NULL,
    key_id       TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
