-- The report for the Hilfeplangespräch (Berichtsvorlage): drafted from the record for the
-- period since the last meeting, edited by the group, reviewed by the Fachberatung and
-- signed by Leitung. A signed version is frozen; a correction is the next version of the
-- same report (`series_id`, the first version's id) with a reason.
CREATE TABLE reports (
    id                   TEXT PRIMARY KEY NOT NULL,
    series_id            TEXT NOT NULL,
    version              BIGINT NOT NULL,
    youth_id             TEXT NOT NULL REFERENCES youths (id),
    meeting_on           TEXT NOT NULL,
    period_from          TEXT NOT NULL,
    period_to            TEXT NOT NULL,
    -- The sections with their generated lines (each with its sources), the people's text
    -- and who changed it last (JSON).
    body                 TEXT NOT NULL,
    -- Counts every change, so two people editing at once cannot overwrite each other.
    revision             BIGINT NOT NULL,
    correction_reason    TEXT NOT NULL DEFAULT '',
    reviewed_by          TEXT REFERENCES users (id),
    reviewed_at          BIGINT,
    signed_by            TEXT REFERENCES users (id),
    signed_at            BIGINT,
    sent_on              TEXT,
    -- "Das steht in deinem Bericht": the summary in simple words for the young person,
    -- what they read once it is released, and when it was explained to them.
    summary              TEXT NOT NULL DEFAULT '',
    summary_released_at  BIGINT,
    explained_on         TEXT,
    explained_by         TEXT REFERENCES users (id),
    created_by           TEXT NOT NULL REFERENCES users (id),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX reports_version ON reports (series_id, version);
CREATE INDEX reports_youth ON reports (youth_id, meeting_on);
-- A signed version keeps its text: only the date it was sent and the summary for the
-- young person may still change.
CREATE FUNCTION reports_signed_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'reports are kept';
    END IF;
    IF OLD.signed_at IS NOT NULL AND (NEW.body IS DISTINCT FROM OLD.body
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.signed_by IS DISTINCT FROM OLD.signed_by
        OR NEW.period_from IS DISTINCT FROM OLD.period_from OR NEW.period_to IS DISTINCT FROM OLD.period_to
        OR NEW.meeting_on IS DISTINCT FROM OLD.meeting_on OR NEW.reviewed_at IS DISTINCT FROM OLD.reviewed_at) THEN
        RAISE EXCEPTION 'a signed report is frozen';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER reports_signed_frozen BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_signed_frozen();

-- The Fachberatung's and Leitung's comments on a section of a report version.
CREATE TABLE report_comments (
    id          TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    section     TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users (id),
    text        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX report_comments_of ON report_comments (report_id, created_at);

-- "Was ich im Hilfeplangespräch sagen möchte": the young person's own view, sent from
-- their phone through the sealed outbox (`id` is the device's, so a resend stores nothing).
CREATE TABLE youth_views (
    id          TEXT PRIMARY KEY NOT NULL,
    youth_id    TEXT NOT NULL REFERENCES youths (id),
    author_id   TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    written_on  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX youth_views_youth ON youth_views (youth_id, written_on);

-- The sections of the report as Leitung configured them (youth offices prescribe their
-- own structure); no row means the default list.
CREATE TABLE report_templates (
    id          TEXT PRIMARY KEY NOT NULL,
    body        TEXT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  BIGINT NOT NULL
);
