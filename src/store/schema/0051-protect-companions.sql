-- The accompanying persons an officer records with an assessment of a
-- child: each one's relationship (parent, legal_guardian, other_adult,
-- none) and whether the relationship and any parental consent are
-- documented (issue 7, first line).
ALTER TABLE protect_assessments ADD COLUMN companions_json TEXT NOT NULL DEFAULT '[]';
