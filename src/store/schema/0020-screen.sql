-- Screening (src/screen): per-list alert thresholds, reviewed false-positive
-- marks, and a random token naming this database so that the in-process
-- engine cache never serves one database's index for another.
CREATE TABLE screen_thresholds (
    list TEXT PRIMARY KEY,
    threshold REAL NOT NULL,
    updated_ms {{BIGINT}} NOT NULL
);

-- A mark stops alerts for one traveller identity against one entry at one
-- entry version; when the list changes the entry, the version differs and
-- the mark no longer applies.  Marks are never deleted (audit trail).
CREATE TABLE screen_false_positives (
    id {{ID}},
    identity_key TEXT NOT NULL,
    entry_id {{BIGINT}} NOT NULL,
    entry_version TEXT NOT NULL,
    entry_ref TEXT NOT NULL,
    list TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_ms {{BIGINT}} NOT NULL
);
CREATE INDEX screen_false_positives_key ON screen_false_positives(identity_key, entry_id);

CREATE TABLE screen_instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
