-- Written after the upgrade, in the new schema: tables the chain created, and the old ones.
INSERT INTO favorites (updated_at, created_at, id, object_type, object_id, user_id, org_id) VALUES (now(), now(), 1, 'Dashboard', 1, 1, 1);
UPDATE users SET details = '{"is_invitation_pending": true}', disabled_at = '2024-01-01', profile_image_url = 'http://img' WHERE id = 2;
UPDATE queries SET tags = ARRAY['finance', 'ünï'], is_draft = true, schedule_failures = 3, schedule = '{"interval": 60}' WHERE id = 4;
UPDATE dashboards SET tags = ARRAY['ops'] WHERE id = 2;
INSERT INTO queries (id, version, org_id, name, query, query_hash, api_key, user_id, is_archived, options, schedule, is_draft, tags)
VALUES (1000, 1, 1, 'after', 'SELECT 1000', 'h1000', 'qkey1000', 1, false, '{"x": 1}', NULL, false, ARRAY['t']);
INSERT INTO events (id, org_id, action, object_type, additional_properties) VALUES (1000, 1, 'create', 'query', '{"after": true}');
