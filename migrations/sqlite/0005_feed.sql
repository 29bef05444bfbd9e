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
-- SQLite reads the pinned items of `group_id IN (...)` straight from this one.
CREATE INDEX feed_pinned ON feed_items (group_id, at) WHERE urgent = 1 AND acknowledged_at IS NULL;

-- Comments on feed items (incidents keep theirs in their chain).
CREATE TABLE feed_comments (
    id         TEXT PRIMARY KEY NOT NULL,
    item_id    TEXT NOT NULL REFERENCES feed_items (id),
    at         BIGINT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users (id),
    text       TEXT NOT NULL
);
CREATE INDEX feed_comments_of ON feed_comments (item_id, at);
CREATE TRIGGER feed_comments_no_update BEFORE UPDATE ON feed_comments
BEGIN
    SELECT RAISE(ABORT, 'feed_comments is append-only');
END;
CREATE TRIGGER feed_comments_no_delete BEFORE DELETE ON feed_comments
BEGIN
    SELECT RAISE(ABORT, 'feed_comments is append-only');
END;

-- What exists already.
INSERT INTO feed_items (id, kind, group_id, youth_id, author_id, at, day, category, urgent, excerpt, search)
SELECT e.id, e.kind, e.group_id, e.youth_id, e.author_id, e.created_at, e.occurred_on, COALESCE(e.category, ''),
       e.important,
       substr(COALESCE(json_extract(v.body, '$.body.text'), json_extract(v.body, '$.body.notes'), ''), 1, 300),
       lower(COALESCE(json_extract(v.body, '$.body.text'), json_extract(v.body, '$.body.notes'), ''))
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
       substr(COALESCE(json_extract(i.body, '$.what'), ''), 1, 300), lower(COALESCE(json_extract(i.body, '$.what'), '')),
       i.acknowledged_at, i.acknowledged_by
FROM incidents i;
