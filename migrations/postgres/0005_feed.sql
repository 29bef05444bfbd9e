-- The Fachberatung's feed: one row per daily note, visit contact, submission and incident
-- (the id is the source record's id), with what the feed filters, sorts and shows. Kept
-- in the same transaction as its source (see db::feed). Pages are read per group by
-- keyset (group_id, at, id), so a page costs the same at ten thousand rows as at ten
-- million.
CREATE TABLE feed_items (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL,
    group_id         TEXT NOT NULL REFERENCES groups (id),
    youth_id         TEXT REFERENCES youths (id),
    author_id        TEXT REFERENCES users (id),
    at               BIGINT NOT NULL,
    day              TEXT NOT NULL,
    category         TEXT NOT NULL DEFAULT '',
    -- Pinned above the stream until acknowledged: incidents, complaints past the group,
    -- notes marked "wichtig".
    urgent           BIGINT NOT NULL DEFAULT 0,
    -- A submission past the group: never shown to the group's staff.
    to_advisor       BIGINT NOT NULL DEFAULT 0,
    excerpt          TEXT NOT NULL DEFAULT '',
    search           TEXT NOT NULL DEFAULT '',
    acknowledged_at  BIGINT,
    acknowledged_by  TEXT REFERENCES users (id)
);
CREATE INDEX feed_group ON feed_items (group_id, at, id);
CREATE INDEX feed_youth ON feed_items (youth_id, at, id);
-- For viewers of many groups (Leitung): one ordered scan instead of one arm per group.
CREATE INDEX feed_at ON feed_items (at, id);
-- PostgreSQL: by time (with group_id first its planner took the feed_at scan for a
-- viewer of many groups and walked the whole table for the few pinned rows).
CREATE INDEX feed_pinned ON feed_items (at, id) WHERE urgent = 1 AND acknowledged_at IS NULL;

-- Comments on feed items (incidents keep theirs in their chain).
CREATE TABLE feed_comments (
    id         TEXT PRIMARY KEY NOT NULL,
    item_id    TEXT NOT NULL REFERENCES feed_items (id),
    at         BIGINT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users (id),
    text       TEXT NOT NULL
);
CREATE INDEX feed_comments_of ON feed_comments (item_id, at);
CREATE FUNCTION feed_comments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'feed_comments is append-only';
END;
$$;
CREATE TRIGGER feed_comments_no_change BEFORE UPDATE OR DELETE ON feed_comments
    FOR EACH ROW EXECUTE FUNCTION feed_comments_append_only();

-- What exists already.
INSERT INTO feed_items (id, kind, group_id, youth_id, author_id, at, day, category, urgent, excerpt, search)
SELECT e.id, e.kind, e.group_id, e.youth_id, e.author_id, e.created_at, e.occurred_on, COALESCE(e.category, ''),
       e.important,
       substr(COALESCE(((v.body)::jsonb -> 'body' ->> 'text'), ((v.body)::jsonb -> 'body' ->> 'notes'), ''), 1, 300),
       lower(COALESCE(((v.body)::jsonb -> 'body' ->> 'text'), ((v.body)::jsonb -> 'body' ->> 'notes'), ''))
FROM entries e JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version;

INSERT INTO feed_items (id, kind, group_id, youth_id, author_id, at, day, category, urgent, to_advisor, excerpt, search)
SELECT f.id, f.kind, f.group_id, f.youth_id, f.author_id, f.listed_at, f.received_on, f.topic,
       CASE WHEN f.recipient = 'fachberatung' AND f.kind = 'beschwerde' THEN 1 ELSE 0 END,
       CASE WHEN f.recipient = 'fachberatung' THEN 1 ELSE 0 END,
       substr(f.body, 1, 300), lower(f.body)
FROM feedback f;

INSERT INTO feed_items (id, kind, group_id, youth_id, author_id, at, day, category, urgent, excerpt, search,
                        acknowledged_at, acknowledged_by)
SELECT i.id, 'incident', i.group_id,
       (SELECT MIN(iy.youth_id) FROM incident_youths iy WHERE iy.incident_id = i.id),
       i.author_id, i.created_at, i.occurred_on, i.category, 1,
       substr(COALESCE(((i.body)::jsonb ->> 'what'), ''), 1, 300), lower(COALESCE(((i.body)::jsonb ->> 'what'), '')),
       i.acknowledged_at, i.acknowledged_by
FROM incidents i;
