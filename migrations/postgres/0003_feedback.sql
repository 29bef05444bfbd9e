-- Participation and complaints from young people (Beteiligung und Beschwerde), their
-- answers, the public links of the anonymous form, login cards, notices for the
-- Fachberatung, and editable institute texts ("Meine Rechte").

-- One submission. An anonymous one keeps no account, no young person, no device id and
-- no time of day: `id` is random, `device_key` is a hash of the device's id (so a resend
-- is stored once), `received_on` is the day and `listed_at` that day's midnight.
CREATE TABLE feedback (
    id            TEXT PRIMARY KEY NOT NULL,
    device_key    TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    group_id      TEXT NOT NULL REFERENCES groups (id),
    kind          TEXT NOT NULL,
    topic         TEXT NOT NULL,
    mood          TEXT,
    body          TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    anonymous     BIGINT NOT NULL,
    author_id     TEXT REFERENCES users (id),
    youth_id      TEXT REFERENCES youths (id),
    pickup_hash   TEXT UNIQUE,
    received_on   TEXT NOT NULL,
    listed_at     BIGINT NOT NULL,
    status        TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX feedback_group ON feedback (group_id, recipient, listed_at, id);
CREATE INDEX feedback_author ON feedback (author_id, listed_at);
CREATE INDEX feedback_month ON feedback (group_id, received_on);

-- Every step taken on a submission: a status change, an answer, or both. History only.
CREATE TABLE feedback_events (
    id           TEXT PRIMARY KEY NOT NULL,
    feedback_id  TEXT NOT NULL REFERENCES feedback (id),
    at           BIGINT NOT NULL,
    actor_id     TEXT NOT NULL REFERENCES users (id),
    actor_role   TEXT NOT NULL,
    status       TEXT,
    answer       TEXT
);
CREATE INDEX feedback_events_of ON feedback_events (feedback_id, at);
CREATE FUNCTION feedback_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'feedback_events is append-only';
END;
$$;
CREATE TRIGGER feedback_events_no_change BEFORE UPDATE OR DELETE ON feedback_events
    FOR EACH ROW EXECUTE FUNCTION feedback_events_append_only();

-- The public link of a group's anonymous form (printed as a QR code).
CREATE TABLE group_links (
    group_id    TEXT PRIMARY KEY NOT NULL REFERENCES groups (id),
    token       TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- A young person's login card: the hash of the token printed as a QR code. A new card
-- replaces the old one.
CREATE TABLE login_cards (
    user_id     TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id)
);

-- Things the Fachberatung of a group must know (for now: an account locked after wrong PINs).
CREATE TABLE notices (
    id          TEXT PRIMARY KEY NOT NULL,
    group_id    TEXT NOT NULL REFERENCES groups (id),
    kind        TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id),
    at          BIGINT NOT NULL
);
CREATE INDEX notices_group ON notices (group_id, at);

-- Texts the institute edits (the "Meine Rechte" page).
CREATE TABLE institute_texts (
    name        TEXT PRIMARY KEY NOT NULL,
    body        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id)
);
