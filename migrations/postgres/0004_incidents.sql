-- Besondere Vorkommnisse (incidents): reported from a phone, told at once to the group's
-- Fachberatung and to Leitung (in the app and by e-mail), escalated to Leitung when
-- nobody acknowledges them in time. Every step is kept as an event.

-- Where alarm e-mails go. Optional: without one, the badge in the app still tells.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE incidents (
    id               TEXT PRIMARY KEY NOT NULL,
    group_id         TEXT NOT NULL REFERENCES groups (id),
    occurred_on      TEXT NOT NULL,
    occurred_time    TEXT NOT NULL,
    category         TEXT NOT NULL,
    body             TEXT NOT NULL,
    author_id        TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    acknowledged_at  BIGINT,
    acknowledged_by  TEXT REFERENCES users (id),
    escalated_at     BIGINT
);
CREATE INDEX incidents_group ON incidents (group_id, created_at, id);
CREATE INDEX incidents_open ON incidents (acknowledged_at, escalated_at, created_at);

-- The young people an incident concerns (one or more).
CREATE TABLE incident_youths (
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    youth_id     TEXT NOT NULL REFERENCES youths (id),
    PRIMARY KEY (incident_id, youth_id)
);
CREATE INDEX incident_youths_youth ON incident_youths (youth_id);

-- The chain: reported, notified, read, acknowledged, commented, escalated. History only.
CREATE TABLE incident_events (
    id           TEXT PRIMARY KEY NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    actor_id     TEXT REFERENCES users (id),
    detail       TEXT NOT NULL
);
CREATE INDEX incident_events_of ON incident_events (incident_id, at, id);

-- E-mails waiting to be sent, written in the transaction that makes them necessary, so
-- an alarm is never lost between storing and sending. They carry a link, never a name.
CREATE TABLE mail_queue (
    id           TEXT PRIMARY KEY NOT NULL,
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    next_try_at  BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    sent_at      BIGINT,
    last_error   TEXT
);
CREATE INDEX mail_queue_due ON mail_queue (sent_at, next_try_at);

CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_events is append-only';
END;
$$;
CREATE TRIGGER incident_events_no_change BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
