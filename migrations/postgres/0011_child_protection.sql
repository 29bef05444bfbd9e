-- Kinderschutz (§ 8a SGB VIII): observations written on the phone, the procedure with
-- its steps, signatures and deadlines. Visible by participation, not by group: nothing
-- here enters the feed, the timeline, the counts or a report draft.

CREATE TABLE cp_cases (
    id              TEXT PRIMARY KEY NOT NULL,
    group_id        TEXT NOT NULL REFERENCES groups (id),
    youth_id        TEXT NOT NULL REFERENCES youths (id),
    -- The danger may come from the adults of the group home.
    concerns_staff  BIGINT NOT NULL DEFAULT 0,
    incident_id     TEXT REFERENCES incidents (id),
    opened_at       BIGINT NOT NULL,
    opened_by       TEXT NOT NULL REFERENCES users (id),
    closed_at       BIGINT,
    outcome         TEXT
);
CREATE INDEX cp_cases_group ON cp_cases (group_id, opened_at, id);
CREATE INDEX cp_cases_youth ON cp_cases (youth_id);

-- Those added to a procedure explicitly (beyond Leitung and the group's Fachberatung).
CREATE TABLE cp_members (
    case_id   TEXT NOT NULL REFERENCES cp_cases (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    added_at  BIGINT NOT NULL,
    added_by  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX cp_members_user ON cp_members (user_id);

CREATE TABLE cp_observations (
    id               TEXT PRIMARY KEY NOT NULL,
    group_id         TEXT NOT NULL REFERENCES groups (id),
    youth_id         TEXT NOT NULL REFERENCES youths (id),
    occurred_on      TEXT NOT NULL,
    occurred_time    TEXT NOT NULL,
    body             TEXT NOT NULL,
    author_id        TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    acknowledged_at  BIGINT,
    acknowledged_by  TEXT REFERENCES users (id),
    case_id          TEXT REFERENCES cp_cases (id)
);
CREATE INDEX cp_observations_group ON cp_observations (group_id, created_at, id);
CREATE INDEX cp_observations_author ON cp_observations (author_id, created_at);
CREATE INDEX cp_observations_case ON cp_observations (case_id);

-- A step is signed by its author when recorded and never changes; a correction is a
-- new step naming the one it corrects.
CREATE TABLE cp_steps (
    id            TEXT PRIMARY KEY NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cp_cases (id),
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    participants  TEXT NOT NULL,
    body          TEXT NOT NULL,
    author_id     TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    corrects      TEXT REFERENCES cp_steps (id),
    reason        TEXT
);
CREATE INDEX cp_steps_case ON cp_steps (case_id, created_at, id);

-- The second professional's and Leitung's signatures.
CREATE TABLE cp_signatures (
    step_id  TEXT NOT NULL REFERENCES cp_steps (id),
    role     TEXT NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users (id),
    at       BIGINT NOT NULL,
    PRIMARY KEY (step_id, role)
);

-- Deadlines: Leitung takes note of an observation, the specialist is consulted, the
-- Wiedervorlage. An overdue one escalates once.
CREATE TABLE cp_deadlines (
    id              TEXT PRIMARY KEY NOT NULL,
    case_id         TEXT REFERENCES cp_cases (id),
    observation_id  TEXT REFERENCES cp_observations (id),
    kind            TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    met_at          BIGINT,
    escalated_at    BIGINT
);
CREATE INDEX cp_deadlines_due ON cp_deadlines (met_at, escalated_at, due_at);
CREATE INDEX cp_deadlines_case ON cp_deadlines (case_id);
CREATE INDEX cp_deadlines_observation ON cp_deadlines (observation_id);

-- The history of a procedure: opened, someone added, escalated, exported.
CREATE TABLE cp_events (
    id        TEXT PRIMARY KEY NOT NULL,
    case_id   TEXT NOT NULL REFERENCES cp_cases (id),
    at        BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    actor_id  TEXT REFERENCES users (id),
    detail    TEXT NOT NULL
);
CREATE INDEX cp_events_case ON cp_events (case_id, at, id);

CREATE FUNCTION cp_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER cp_steps_no_change BEFORE UPDATE OR DELETE ON cp_steps
    FOR EACH ROW EXECUTE FUNCTION cp_append_only();
CREATE TRIGGER cp_signatures_no_change BEFORE UPDATE OR DELETE ON cp_signatures
    FOR EACH ROW EXECUTE FUNCTION cp_append_only();
CREATE TRIGGER cp_events_no_change BEFORE UPDATE OR DELETE ON cp_events
    FOR EACH ROW EXECUTE FUNCTION cp_append_only();
-- What was observed stays as written (taking note and joining a procedure only).
CREATE FUNCTION cp_observations_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an observation is never deleted';
    END IF;
    IF NEW.occurred_on IS DISTINCT FROM OLD.occurred_on OR NEW.occurred_time IS DISTINCT FROM OLD.occurred_time
       OR NEW.body IS DISTINCT FROM OLD.body OR NEW.author_id IS DISTINCT FROM OLD.author_id
       OR NEW.youth_id IS DISTINCT FROM OLD.youth_id OR NEW.group_id IS DISTINCT FROM OLD.group_id THEN
        RAISE EXCEPTION 'an observation is never rewritten';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cp_observations_no_change BEFORE UPDATE OR DELETE ON cp_observations
    FOR EACH ROW EXECUTE FUNCTION cp_observations_frozen();
