-- The document a traveller was first known by ("ISSUER/NUMBER"): kept for
-- the record, and the key that matches each new traveller of a bulk insert
-- to the id the store gave it.
ALTER TABLE travellers ADD COLUMN first_document TEXT NOT NULL DEFAULT '';
