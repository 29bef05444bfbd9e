-- The help plan (Hilfeplan): goals on two levels with steps and a status, the legal basis
-- of the placement, versions of the plan as agreed in each Hilfeplangespräch (kept word
-- for word), the links from entries to goals as an index the goal page reads, and the
-- ratings of the monthly Erziehungsplanungsgespräch.

-- Entries only the Fachberatung and Leitung may read (the team's own case reflection):
-- every list, count and link leaves them out for the group's staff.
ALTER TABLE entries ADD COLUMN advisors_only BIGINT NOT NULL DEFAULT 0;
-- Each young person's newest entry of a kind (the last monthly talk, for the reminders),
-- without reading all their notes.
CREATE INDEX entries_kind_youth ON entries (kind, youth_id, occurred_on);

-- The young person's row is their current placement; its legal basis (§ 33 S. 2, § 34,
-- § 35a, § 41 SGB VIII) is set with each version of the plan.
ALTER TABLE youths ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';

-- 'richtung' (Richtungsziel, the long-term direction) or 'handlung' (Handlungsziel,
-- under a Richtungsziel). Goals made before levels existed are Handlungsziele.
ALTER TABLE goals ADD COLUMN level TEXT NOT NULL DEFAULT 'handlung';
ALTER TABLE goals ADD COLUMN parent_id TEXT REFERENCES goals (id);
-- offen · in_arbeit · erreicht · nicht_weiterverfolgt (then with a reason).
ALTER TABLE goals ADD COLUMN status TEXT NOT NULL DEFAULT 'offen';
ALTER TABLE goals ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
-- The steps (who does what by when) as JSON: [{"who":…,"what":…,"by":"YYYY-MM-DD"}].
ALTER TABLE goals ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
-- The goal in simple words for the young person ("Meine Ziele"); "" shows the title.
ALTER TABLE goals ADD COLUMN youth_title TEXT NOT NULL DEFAULT '';

-- One row per version of a young person's plan; `body` holds the header and every goal
-- as they stood when the version was recorded (JSON). Versions are history.
CREATE TABLE help_plans (
    id          TEXT PRIMARY KEY NOT NULL,
    youth_id    TEXT NOT NULL REFERENCES youths (id),
    version     BIGINT NOT NULL,
    agreed_on   TEXT NOT NULL,
    body        TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX help_plans_version ON help_plans (youth_id, version);
CREATE FUNCTION help_plans_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'help_plans is append-only';
END;
$$;
CREATE TRIGGER help_plans_no_change BEFORE UPDATE OR DELETE ON help_plans
    FOR EACH ROW EXECUTE FUNCTION help_plans_append_only();

-- Which entries (their current version) point at which goal, with the entry's date: the
-- goal page's list and monthly counts, and the "no entry for 4 weeks" flag.
CREATE TABLE entry_goals (
    goal_id      TEXT NOT NULL REFERENCES goals (id),
    entry_id     TEXT NOT NULL REFERENCES entries (id),
    occurred_on  TEXT NOT NULL,
    PRIMARY KEY (goal_id, entry_id)
);
CREATE INDEX entry_goals_goal_day ON entry_goals (goal_id, occurred_on);
CREATE INDEX entry_goals_entry ON entry_goals (entry_id);

INSERT INTO entry_goals (goal_id, entry_id, occurred_on)
SELECT DISTINCT j.value, e.id, e.occurred_on
FROM entries e
JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version
CROSS JOIN LATERAL jsonb_array_elements_text(v.body::jsonb -> 'body' -> 'goal_ids') AS j(value)
WHERE e.kind = 'note' AND EXISTS (SELECT 1 FROM goals g WHERE g.id = j.value);

-- The ratings of a goal in a monthly talk (the talk's current version), one per
-- perspective: 'staff' (Bezugsbetreuer:in), 'youth', 'parents'; step 1 (nicht erreicht)
-- to 5 (vollständig erreicht).
CREATE TABLE goal_ratings (
    entry_id     TEXT NOT NULL REFERENCES entries (id),
    goal_id      TEXT NOT NULL REFERENCES goals (id),
    perspective  TEXT NOT NULL,
    step         BIGINT NOT NULL,
    occurred_on  TEXT NOT NULL,
    PRIMARY KEY (entry_id, goal_id, perspective)
);
CREATE INDEX goal_ratings_goal_day ON goal_ratings (goal_id, occurred_on);

-- A young person's own rating of their goal with faces, before the monthly talk; the
-- latest one is offered in the talk as their perspective.
CREATE TABLE youth_goal_ratings (
    goal_id     TEXT NOT NULL REFERENCES goals (id),
    step        BIGINT NOT NULL,
    rated_at    BIGINT NOT NULL,
    PRIMARY KEY (goal_id, rated_at)
);
