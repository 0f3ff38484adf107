-- The role Redash's fa68605eb530 names in a policy; Redash creates it outside its migrations.
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'limited_visibility') THEN CREATE ROLE limited_visibility NOLOGIN; END IF; END $$;
INSERT INTO organizations (id, name, slug, settings) VALUES (1, 'Acme', 'default', '{"auth_password_login_enabled": true}'), (2, 'Ünïcode org', 'u', '{}');
INSERT INTO users (id, org_id, name, email, password_hash, groups, api_key)
SELECT i, 1 + mod(i, 2), 'user ' || i, 'u' || i || '@example.com', CASE WHEN mod(i, 3) = 0 THEN NULL ELSE 'hash' || i END, ARRAY[1, i], 'key' || i FROM generate_series(1, 6) i;
-- Every query has a schedule (an interval or a time of day): 73beceabb948 rewrites the empty ones.
INSERT INTO queries (id, version, org_id, name, description, query, query_hash, api_key, user_id, is_archived, schedule, options)
SELECT i, 1, 1 + mod(i, 2), CASE WHEN i = 1 THEN 'New Query' ELSE 'query ✓ ' || i END, CASE WHEN mod(i, 4) = 0 THEN NULL ELSE 'about ' || i END,
 'SELECT ' || i, md5('SELECT ' || i), 'qkey' || i, 1 + mod(i, 6), mod(i, 5) = 0,
 CASE WHEN mod(i, 2) = 0 THEN (3600 * i)::text ELSE lpad(mod(i, 24)::text, 2, '0') || chr(58) || '30' END,
 CASE WHEN mod(i, 3) = 0 THEN '{}' ELSE '{"parameters": [{"name": "p' || i || '"}]}' END
FROM generate_series(1, 20) i;
INSERT INTO query_results (id, org_id, query_hash, query, data, runtime, retrieved_at)
SELECT i, 1, md5('SELECT ' || i), 'SELECT ' || i, '{"rows": [{"x": ' || i || '}], "columns": [{"name": "x"}]}', i * 0.25, '2018-01-01 00:00:00+00'::timestamptz + i * interval '1 hour'
FROM generate_series(1, 10) i;
-- Dashboard names without "word:" or "#tag", so 0f740a081d20 finds no tags to write.
INSERT INTO dashboards (id, version, org_id, slug, name, user_id, layout, dashboard_filters_enabled, is_archived, options)
SELECT i, 1, 1, 'dash-' || i, 'Dashboard ' || i, 1, '[[' || i || ']]', mod(i, 2) = 0, false, CASE WHEN i = 1 THEN '{}' ELSE ('{"refresh": ' || i || '}')::json END
FROM generate_series(1, 4) i;
INSERT INTO visualizations (id, type, query_id, name, description, options)
SELECT i, 'TABLE', i, 'Table', NULL, '{"itemsPerPage": ' || i || '}' FROM generate_series(1, 8) i;
INSERT INTO widgets (id, visualization_id, text, width, options, dashboard_id)
SELECT i, CASE WHEN mod(i, 3) = 0 THEN NULL ELSE i END, CASE WHEN mod(i, 3) = 0 THEN 'text ' || i ELSE NULL END, 1 + mod(i, 2),
 '{"position": {"col": ' || mod(i, 2) * 3 || ', "sizeX": 3}}', 1 + mod(i, 4)
FROM generate_series(1, 8) i;
INSERT INTO events (id, org_id, user_id, action, object_type, object_id, additional_properties)
SELECT i, 1, CASE WHEN mod(i, 4) = 0 THEN NULL ELSE 1 END, 'view', 'query', i::text, CASE WHEN mod(i, 3) = 0 THEN NULL ELSE '{"ip": "10.0.0.' || i || '"}' END
FROM generate_series(1, 12) i;
INSERT INTO alerts (id, name, query_id, user_id, options, state, last_triggered_at, rearm)
VALUES (1, 'alert', 2, 1, '{"op": ">", "value": 1}', 'ok', NULL, 300), (2, 'alert 2', 3, 2, '{}', 'triggered', '2019-02-02 10:00:00+00', NULL);
INSERT INTO changes (id, object_type, object_id, object_version, user_id, change)
SELECT i, 'queries', i, 1, 1, ('{"name": {"previous": null, "current": "q' || i || '"}}')::json FROM generate_series(1, 5) i;
