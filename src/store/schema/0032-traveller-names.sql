-- Spelling-tolerant traveller search: the consonant skeleton of each name
-- token (src/names, the screening normaliser), space-separated with a
-- space at both ends (" MHMD SLH "), so "Mohamed"/"Muhammad"/"محمد" meet.
ALTER TABLE travellers ADD COLUMN name_skel TEXT NOT NULL DEFAULT '';
CREATE INDEX travellers_name_skel ON travellers(name_skel);
