-- PostgreSQL only (store.c: a NNNN-what.BACKEND.sql migration runs on that
-- backend alone): fewer index entries per recorded crossing (issue 5,
-- bench/RESULTS.md "Border records"), where SQLite cannot follow - its
-- table-level UNIQUE (issuer, number) can only go with a rebuild of the table.
-- * traveller_documents: one unique index on (number, issuer) instead of
--   the unique (issuer, number) plus (number).  Every query names the number
--   (the bulk look-up `number = ANY(...)`, the search by number, the look-up
--   by issuer and number), none the issuer alone; uniqueness is unchanged.
--   One B-tree entry fewer per new document.
-- * crossings_day becomes a BRIN index: its readers are day ranges (the
--   statistics' `day BETWEEN`, the purge's `day < cutoff`) over rows that
--   arrive in time order, which a BRIN serves from a few block ranges; it
--   costs a summary per 128 pages instead of a B-tree entry per crossing.
--   autosummarize summarises each filled range (autovacuum), so ranges
--   filled by recent inserts are not read in full for long.
ALTER TABLE traveller_documents DROP CONSTRAINT traveller_documents_issuer_number_key;
DROP INDEX traveller_documents_number;
CREATE UNIQUE INDEX traveller_documents_number_issuer ON traveller_documents(number, issuer);
DROP INDEX crossings_day;
CREATE INDEX crossings_day ON crossings USING brin (day) WITH (autosummarize = on);
