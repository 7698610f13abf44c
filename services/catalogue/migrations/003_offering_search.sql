-- Search filters kind, domain, goal tag and audience by containment on details.
CREATE INDEX offerings_details ON offerings USING gin (details jsonb_path_ops);
CREATE INDEX offerings_by_status ON offerings (status, created_at);
