-- The audit trail: append-only and hash-chained.  Each entry's hash covers
-- its own fields and the previous entry's hash; audit_head keeps the newest
-- sequence number and hash so that deleting the newest entries is detected
-- too.  Updating audit_head in the same transaction serialises appends on
-- both backends.
CREATE TABLE audit (
    seq {{BIGINT}} PRIMARY KEY,
    ts_ms {{BIGINT}} NOT NULL,
    request_id TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    records TEXT NOT NULL DEFAULT '[]',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit(actor, ts_ms);
CREATE INDEX audit_ts ON audit(ts_ms);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq {{BIGINT}} NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- One row per record an audit entry touched ("traveller:42"), for lookups by
-- record.  Derived from audit.records, which the hash covers.
CREATE TABLE audit_records (
    seq {{BIGINT}} NOT NULL REFERENCES audit(seq),
    record TEXT NOT NULL
);
CREATE INDEX audit_records_record ON audit_records(record, seq);
