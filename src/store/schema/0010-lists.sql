-- Watchlists (src/lists): one row per list and one row per entry.  An
-- entry's names, dates of birth, nationalities and documents are kept as
-- one compact JSON text (src/lists/entry_json.c), so loading a million
-- entries is one sequential scan.  Replacing a list deletes and rewrites
-- its entries in one transaction.  watch_generation counts every import
-- and removal so that the screening engine knows when to rebuild its index.
CREATE TABLE watch_lists (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    default_action TEXT NOT NULL,
    persons {{BIGINT}} NOT NULL DEFAULT 0,
    documents {{BIGINT}} NOT NULL DEFAULT 0,
    imported_ms {{BIGINT}} NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    generation {{BIGINT}} NOT NULL
);

CREATE TABLE watch_entries (
    id {{ID}},
    list_id {{BIGINT}} NOT NULL REFERENCES watch_lists(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    version TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX watch_entries_list ON watch_entries(list_id);

CREATE TABLE watch_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value {{BIGINT}} NOT NULL
);
INSERT INTO watch_generation (id, value) VALUES (1, 0);
