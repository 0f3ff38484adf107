INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES
 (0, 'Default', 'file:///mlruns/0', 'active'), (1, 'ñandú — 実験', NULL, 'deleted'), (2, 'quote''d', 's3://b/2', 'active');
INSERT INTO runs (run_uuid, name, source_type, source_name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, experiment_id)
SELECT 'run' || i, 'run ' || i, (ARRAY['NOTEBOOK','JOB','LOCAL','UNKNOWN','PROJECT'])[1 + mod(i, 5)], 'src', CASE WHEN mod(i, 3) = 0 THEN NULL ELSE 'user' || i END,
 (ARRAY['SCHEDULED','FAILED','FINISHED','RUNNING'])[1 + mod(i, 4)], 1000 * i, CASE WHEN mod(i, 2) = 0 THEN NULL ELSE 2000 * i END, 'active', 'file:///a/' || i, mod(i, 3)
FROM generate_series(1, 30) i;
INSERT INTO tags (key, value, run_uuid) SELECT 'mlflow.user', CASE WHEN mod(i, 4) = 0 THEN NULL ELSE 'tag ✓ ' || i END, 'run' || i FROM generate_series(1, 30) i;
INSERT INTO params (key, value, run_uuid) SELECT 'lr', (i * 0.001)::text, 'run' || i FROM generate_series(1, 30) i;
INSERT INTO metrics (key, value, timestamp, run_uuid) SELECT 'loss', 1.0 / (i + j), 100 * j, 'run' || i FROM generate_series(1, 30) i, generate_series(1, 5) j;
