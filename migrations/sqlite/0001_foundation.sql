-- Foundation: groups, young people, accounts, sessions, login throttling, audit log.
-- Ids are UUIDv7 text, timestamps are UTC unix milliseconds (BIGINT), calendar dates are
-- ISO text (YYYY-MM-DD), flags are 0/1 BIGINT: the same types on SQLite and PostgreSQL so
-- one query text serves both.

CREATE TABLE groups (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    phone       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_name_unique ON groups (lower(name));

CREATE TABLE youths (
    id                  TEXT PRIMARY KEY NOT NULL,
    group_id            TEXT NOT NULL REFERENCES groups (id),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    admission_date      TEXT NOT NULL,
    caseworker_name     TEXT NOT NULL,
    caseworker_contact  TEXT NOT NULL,
    custody             TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX youths_group ON youths (group_id, last_name, first_name);

CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    login          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    active         BIGINT NOT NULL DEFAULT 1,
    youth_id       TEXT REFERENCES youths (id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_login_unique ON users (login);

-- Staff membership (fachkraft) and Fachberatung assignment share one relation: both mean
-- "this account works with this group".
CREATE TABLE user_groups (
    user_id   TEXT NOT NULL REFERENCES users (id),
    group_id  TEXT NOT NULL REFERENCES groups (id),
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id);

-- The cookie carries a random token; only its SHA-256 is stored, so a database leak does
-- not hand out live sessions.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id          TEXT PRIMARY KEY NOT NULL,
    throttle_key TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (throttle_key, at);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY NOT NULL,
    at           BIGINT NOT NULL,
    actor_id     TEXT,
    actor_login  TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    record_kind  TEXT NOT NULL,
    record_id    TEXT,
    youth_id     TEXT
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_youth ON audit_log (youth_id, at);

-- The audit log is append-only for the application: no role can change or delete a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
