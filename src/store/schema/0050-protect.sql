-- Child protection and victims of trafficking (src/protect): indicator set
-- versions loaded by a partner, assessments, the referral-partner
-- directory, cases with their assigned officers and steps, and settings.
-- Victim and child data live only in protect_assessments (notes) and
-- protect_cases (subject_json); counts for statistics come from the month
-- and crossing_point columns, which are not personal data.
CREATE TABLE protect_sets (
    id {{ID}},
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    content TEXT NOT NULL,
    loaded_by TEXT NOT NULL DEFAULT '',
    loaded_ms {{BIGINT}} NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE protect_assessments (
    id {{ID}},
    set_name TEXT NOT NULL,
    set_version TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('child','adult')),
    indicators_json TEXT NOT NULL,
    derived_json TEXT NOT NULL DEFAULT '[]',
    flags_json TEXT NOT NULL DEFAULT '[]',
    recommendation TEXT NOT NULL,
    reasons_json TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    check_id {{BIGINT}},
    traveller_id {{BIGINT}},
    crossing_point TEXT NOT NULL DEFAULT '',
    month TEXT NOT NULL,
    officer TEXT NOT NULL,
    officer_id {{BIGINT}} NOT NULL DEFAULT 0,
    observed_ms {{BIGINT}} NOT NULL,
    created_ms {{BIGINT}} NOT NULL
);
CREATE INDEX protect_assessments_check ON protect_assessments(check_id);
CREATE INDEX protect_assessments_month ON protect_assessments(month);

CREATE TABLE protect_partners (
    id {{ID}},
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('child_protection','police_thb_unit','guardianship_authority','iom','ngo')),
    country TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    languages_json TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_ms {{BIGINT}} NOT NULL,
    updated_ms {{BIGINT}} NOT NULL,
    UNIQUE (name, country)
);
CREATE INDEX protect_partners_country ON protect_partners(country, region);

-- One case per check at most (check_id NULL for cases opened by hand).
CREATE TABLE protect_cases (
    id {{ID}},
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('child','adult')),
    assessment_id {{BIGINT}} REFERENCES protect_assessments(id),
    check_id {{BIGINT}} UNIQUE,
    subject_json TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '',
    crossing_point TEXT NOT NULL DEFAULT '',
    month TEXT NOT NULL,
    state TEXT NOT NULL,
    partner_id {{BIGINT}} REFERENCES protect_partners(id),
    referred_ms {{BIGINT}},
    acknowledged_ms {{BIGINT}},
    ack_due_ms {{BIGINT}},
    reflection_end_ms {{BIGINT}},
    outcome TEXT NOT NULL DEFAULT '',
    closed_ms {{BIGINT}},
    opened_by TEXT NOT NULL,
    opened_ms {{BIGINT}} NOT NULL,
    updated_ms {{BIGINT}} NOT NULL
);
CREATE INDEX protect_cases_state ON protect_cases(state);
CREATE INDEX protect_cases_month ON protect_cases(month);

CREATE TABLE protect_case_officers (
    case_id {{BIGINT}} NOT NULL REFERENCES protect_cases(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    assigned_ms {{BIGINT}} NOT NULL,
    PRIMARY KEY (case_id, username)
);
CREATE INDEX protect_case_officers_user ON protect_case_officers(username);

CREATE TABLE protect_case_steps (
    id {{ID}},
    case_id {{BIGINT}} NOT NULL REFERENCES protect_cases(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    from_state TEXT NOT NULL,
    at_ms {{BIGINT}} NOT NULL,
    month TEXT NOT NULL,
    crossing_point TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    partner_id {{BIGINT}} REFERENCES protect_partners(id),
    reason_codes_json TEXT NOT NULL DEFAULT '[]',
    consent INTEGER,
    outcome TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX protect_case_steps_case ON protect_case_steps(case_id, at_ms);
CREATE INDEX protect_case_steps_month ON protect_case_steps(month, step);

CREATE TABLE protect_settings (
    name TEXT PRIMARY KEY,
    value {{BIGINT}} NOT NULL
);
