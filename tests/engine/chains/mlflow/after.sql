-- Written after the upgrade, in the new schema: tables the chain created, and the old ones.
INSERT INTO registered_models (name, creation_time, description) VALUES ('model ✓', 1, 'written after');
INSERT INTO model_versions (name, version, run_id, run_link, current_stage) VALUES ('model ✓', 1, 'run1', 'http://x', 'None');
INSERT INTO experiment_tags (key, value, experiment_id) VALUES ('team', 'ml', 0);
INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status) VALUES ('tr1', 0, 5, 'OK');
INSERT INTO trace_tags (key, value, request_id) VALUES ('k', 'v', 'tr1');
INSERT INTO runs (run_uuid, name, status, experiment_id, deleted_time) VALUES ('after1', 'new run', 'FINISHED', 2, 7);
UPDATE experiments SET creation_time = 11 WHERE experiment_id = 2;
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ('acc', 0.5, 1, 'after1', 3, false);
