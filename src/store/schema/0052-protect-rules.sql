-- Recommendation rules loaded by a partner (src/protect/ruleset.c): each
-- version kept, the newest active; every assessment records the rules
-- version that produced its recommendation.
CREATE TABLE protect_rules (
    id {{ID}},
    version TEXT NOT NULL UNIQUE,
    content TEXT NOT NULL,
    loaded_by TEXT NOT NULL DEFAULT '',
    loaded_ms {{BIGINT}} NOT NULL
);
ALTER TABLE protect_assessments ADD COLUMN rules_version TEXT NOT NULL DEFAULT '';
