-- § 47 SGB VIII: whether a group runs under an operating licence (§ 45), and the
-- Meldungen to the supervisory authority. A Meldung is written once, never changed.

ALTER TABLE groups ADD COLUMN licensed BIGINT NOT NULL DEFAULT 0;

CREATE TABLE licence_reports (
    id           TEXT PRIMARY KEY NOT NULL,
    group_id     TEXT NOT NULL REFERENCES groups (id),
    incident_id  TEXT REFERENCES incidents (id),
    case_id      TEXT REFERENCES cp_cases (id),
    category     TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    reported_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    author_id    TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX licence_reports_group ON licence_reports (group_id, occurred_at, id);

CREATE TRIGGER licence_reports_no_change BEFORE UPDATE OR DELETE ON licence_reports
    FOR EACH ROW EXECUTE FUNCTION cp_append_only();
