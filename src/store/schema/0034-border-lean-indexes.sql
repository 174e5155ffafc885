-- Fewer index entries per recorded crossing (issue 5, bench/RESULTS.md
-- "Border records"), without slowing any query:
-- * travellers_name and travellers_name_skel go: the name search
--   (limes_traveller_search) matches `name_key LIKE '%...%'` and
--   `name_skel LIKE '% SKEL %'`, infix patterns that no B-tree can serve on
--   either backend (both plans walk travellers by id), so the two indexes
--   were written on every new traveller and never read.
-- * stays_open holds open stays only: every query that uses it asks for
--   `closed = 0` (overstayers, stay statistics, the purge's open stays),
--   and a closed stay - most stays, and every stay whose exit arrives in
--   the same batch as its entry - no longer gets an entry in it.
DROP INDEX travellers_name;
DROP INDEX travellers_name_skel;
DROP INDEX stays_open;
CREATE INDEX stays_open ON stays(latest_exit_day) WHERE closed = 0;
