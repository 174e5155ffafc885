-- First-line checks: what the officer sent, what limes answered (the
-- decision aid with its reasons), and the one decision taken on it.
-- request and result are JSON texts; the decision columns stay NULL until
-- the officer decides, and a check is decided once.
CREATE TABLE checks (
    id {{ID}},
    officer TEXT NOT NULL,
    bcp_id {{BIGINT}} NOT NULL REFERENCES bcp(id),
    direction TEXT NOT NULL CHECK (direction IN ('entry','exit')),
    traveller_id {{BIGINT}} REFERENCES travellers(id) ON DELETE SET NULL,
    day INTEGER NOT NULL,
    at_ms {{BIGINT}} NOT NULL,
    aid TEXT NOT NULL CHECK (aid IN ('clear','attention','stop')),
    minor INTEGER NOT NULL DEFAULT 0,
    request TEXT NOT NULL,
    result TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('admit','refuse','refer')),
    decision_reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_ms {{BIGINT}},
    crossing_id {{BIGINT}},
    refusal_id {{BIGINT}}
);
CREATE INDEX checks_day ON checks(day);
CREATE INDEX checks_traveller ON checks(traveller_id);
