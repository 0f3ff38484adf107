-- Written after the upgrade, in the new schema: tables and columns the run created, and new
-- rows in the tables that were there before it (those rows stay after the revert).
INSERT INTO work_pool (id, name, type, base_job_template, status) VALUES ('70000000-0000-0000-0000-000000000001', 'pool', 'process', '{"job": 1}', 'READY');
INSERT INTO work_queue (id, name, priority, work_pool_id, status) VALUES ('71000000-0000-0000-0000-000000000001', 'q ✓', 1, '70000000-0000-0000-0000-000000000001', 'READY');
INSERT INTO worker (name, work_pool_id, status) VALUES ('w1', '70000000-0000-0000-0000-000000000001', 'ONLINE');
UPDATE deployment SET last_polled = '2024-02-01 00:00:00+00', paused = true, status = 'READY' WHERE name = 'deploy 1';
INSERT INTO deployment_schedule (deployment_id, schedule, active, max_scheduled_runs, catchup)
SELECT id, '{"interval": 3600.0}', true, 3, true FROM deployment WHERE name = 'deploy 2';
UPDATE flow_run SET job_variables = '{"image": "ünï:1"}', deployment_version = 'v1' WHERE name = 'run-1';
INSERT INTO flow_run (id, name, flow_id, infrastructure_pid, created_by, work_queue_id, job_variables)
VALUES ('3fffffff-0000-0000-0000-000000000001', 'after', '00000000-0000-0000-0000-000000000001', '4242', '{"type": "DEPLOYMENT"}', '71000000-0000-0000-0000-000000000001', '{}');
INSERT INTO flow_run_state (id, type, name, data, flow_run_id) VALUES ('4fffffff-0000-0000-0000-000000000001', 'RUNNING', 'Running', NULL, '3fffffff-0000-0000-0000-000000000001');
INSERT INTO flow_run_input (key, value, flow_run_id, sender) VALUES ('answer', '"yes ✓"', '30000000-0000-0000-0000-000000000001', 'user');
INSERT INTO artifact (key, type, data, flow_run_id) VALUES ('after-key', 'markdown', '"# hi"', '3fffffff-0000-0000-0000-000000000001');
UPDATE flow_run_state SET result_artifact_id = (SELECT id FROM artifact WHERE key = 'after-key') WHERE id = '4fffffff-0000-0000-0000-000000000001';
