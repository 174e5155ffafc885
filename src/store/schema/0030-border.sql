-- Border records: crossing points, travellers and their documents,
-- crossings matched into stays, refusals with their reason codes,
-- detections, and first-line checks.  Dates are day numbers (days since
-- 1970-01-01), times epoch milliseconds; both are computed in C.
CREATE TABLE bcp (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL DEFAULT '',
    name_fr TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('air','land','sea')),
    country TEXT NOT NULL,
    created_ms {{BIGINT}} NOT NULL
);

-- A traveller is known by the documents shown over the years.
CREATE TABLE travellers (
    id {{ID}},
    surname TEXT NOT NULL DEFAULT '',
    given_names TEXT NOT NULL DEFAULT '',
    name_key TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL DEFAULT '',
    sex TEXT NOT NULL DEFAULT '',
    nationality TEXT NOT NULL DEFAULT '',
    created_ms {{BIGINT}} NOT NULL,
    last_activity_day INTEGER NOT NULL
);
CREATE INDEX travellers_name ON travellers(name_key);
CREATE INDEX travellers_activity ON travellers(last_activity_day);

CREATE TABLE traveller_documents (
    id {{ID}},
    traveller_id {{BIGINT}} NOT NULL REFERENCES travellers(id) ON DELETE CASCADE,
    doc_type TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL,
    number TEXT NOT NULL,
    expiry_date TEXT NOT NULL DEFAULT '',
    first_seen_ms {{BIGINT}} NOT NULL,
    UNIQUE (issuer, number)
);
CREATE INDEX traveller_documents_number ON traveller_documents(number);
CREATE INDEX traveller_documents_traveller ON traveller_documents(traveller_id);

-- One row per stay: an entry and (once recorded) its exit.  latest_exit_day
-- is the last lawful day computed at entry (NULL when no limit applies or
-- the stay does not count, e.g. under a residence permit).
CREATE TABLE stays (
    id {{ID}},
    traveller_id {{BIGINT}} NOT NULL REFERENCES travellers(id) ON DELETE CASCADE,
    entry_day INTEGER NOT NULL,
    exit_day INTEGER,
    closed INTEGER NOT NULL DEFAULT 0,
    counts INTEGER NOT NULL DEFAULT 1,
    latest_exit_day INTEGER,
    anomaly TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stays_traveller ON stays(traveller_id, entry_day);
CREATE INDEX stays_open ON stays(closed, latest_exit_day);

CREATE TABLE crossings (
    id {{ID}},
    traveller_id {{BIGINT}} NOT NULL REFERENCES travellers(id) ON DELETE CASCADE,
    document_id {{BIGINT}} REFERENCES traveller_documents(id) ON DELETE SET NULL,
    stay_id {{BIGINT}} REFERENCES stays(id) ON DELETE SET NULL,
    bcp_id {{BIGINT}} NOT NULL REFERENCES bcp(id),
    direction TEXT NOT NULL CHECK (direction IN ('entry','exit')),
    day INTEGER NOT NULL,
    at_ms {{BIGINT}} NOT NULL,
    officer TEXT NOT NULL DEFAULT '',
    check_id {{BIGINT}},
    counts INTEGER NOT NULL DEFAULT 1,
    travel_mode TEXT NOT NULL DEFAULT '',
    travel_ref TEXT NOT NULL DEFAULT '',
    anomaly TEXT NOT NULL DEFAULT '',
    created_ms {{BIGINT}} NOT NULL
);
CREATE INDEX crossings_traveller ON crossings(traveller_id, at_ms);
CREATE INDEX crossings_day ON crossings(day);

CREATE TABLE refusals (
    id {{ID}},
    traveller_id {{BIGINT}} NOT NULL REFERENCES travellers(id) ON DELETE CASCADE,
    document_id {{BIGINT}} REFERENCES traveller_documents(id) ON DELETE SET NULL,
    bcp_id {{BIGINT}} NOT NULL REFERENCES bcp(id),
    day INTEGER NOT NULL,
    at_ms {{BIGINT}} NOT NULL,
    officer TEXT NOT NULL DEFAULT '',
    authority TEXT NOT NULL DEFAULT '',
    check_id {{BIGINT}},
    codes TEXT NOT NULL,
    code_table TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_ms {{BIGINT}} NOT NULL
);
CREATE INDEX refusals_traveller ON refusals(traveller_id);
CREATE INDEX refusals_day ON refusals(day);

-- One row per reason letter, for counting refusals by reason (FRAN 4).
CREATE TABLE refusal_reasons (
    refusal_id {{BIGINT}} NOT NULL REFERENCES refusals(id) ON DELETE CASCADE,
    code TEXT NOT NULL
);
CREATE INDEX refusal_reasons_refusal ON refusal_reasons(refusal_id);

CREATE TABLE detections (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('fraudulent_document','facilitator','clandestine','trafficking_victim')),
    fraud_type TEXT NOT NULL DEFAULT '',
    traveller_id {{BIGINT}} REFERENCES travellers(id) ON DELETE CASCADE,
    crossing_id {{BIGINT}} REFERENCES crossings(id) ON DELETE SET NULL,
    check_id {{BIGINT}},
    bcp_id {{BIGINT}} NOT NULL REFERENCES bcp(id),
    day INTEGER NOT NULL,
    at_ms {{BIGINT}} NOT NULL,
    officer TEXT NOT NULL DEFAULT '',
    nationality TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_ms {{BIGINT}} NOT NULL
);
CREATE INDEX detections_day ON detections(day);
CREATE INDEX detections_traveller ON detections(traveller_id);
