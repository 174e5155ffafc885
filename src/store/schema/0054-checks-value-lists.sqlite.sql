-- SQLite only (store.c: NNNN-what.BACKEND.sql).  The CHECK constraints of
-- checks.aid and checks.decision said `x IN ('a','b','c')`.  SQLite codes
-- an IN list of three or more values as a temporary table, built again for
-- every statement that checks the constraint: on each first-line check's
-- INSERT and each decision's UPDATE, about 3.5 us per list (bench/RESULTS.md,
-- session 6).  The same constraint written `x = 'a' OR x = 'b' OR x = 'c'`
-- is three comparisons; it accepts and refuses the same values (NULL too:
-- both give NULL, which a CHECK lets pass).
--
-- A CHECK constraint's text changes nothing on disk, so the table is not
-- rebuilt (that would copy every check ever made): its CREATE TABLE text
-- is edited in place, as https://sqlite.org/lang_altertable.html ("Making
-- Other Kinds Of Table Schema Changes") describes for constraint changes.
-- Connections open during the edit keep the old, equivalent text until
-- they reopen.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(replace(sql,
       'CHECK (aid IN (''clear'',''attention'',''stop''))',
       'CHECK (aid = ''clear'' OR aid = ''attention'' OR aid = ''stop'')'),
       'CHECK (decision IN (''admit'',''refuse'',''refer''))',
       'CHECK (decision = ''admit'' OR decision = ''refuse'' OR decision = ''refer'')')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = OFF;
