-- Written after the upgrade, in the new schema: tables the chain created, and the old ones.
INSERT INTO work_pool (id, name, type, base_job_template) VALUES ('70000000-0000-0000-0000-000000000001', 'pool', 'process', '{"job": 1}');
INSERT INTO work_pool_queue (id, name, priority, work_pool_id) VALUES ('71000000-0000-0000-0000-000000000001', 'q', 1, '70000000-0000-0000-0000-000000000001');
UPDATE work_pool SET default_queue_id = '71000000-0000-0000-0000-000000000001';
INSERT INTO worker (name, work_pool_id) VALUES ('w1', '70000000-0000-0000-0000-000000000001');
UPDATE deployment SET created_by = '{"id": null, "type": "USER"}', work_pool_queue_id = '71000000-0000-0000-0000-000000000001' WHERE name = 'deploy 1';
UPDATE work_queue SET last_polled = '2023-02-01 00:00:00+00' WHERE name = 'default';
UPDATE task_run SET flow_run_run_count = 2, state_timestamp = now() WHERE name = 'task-1';
INSERT INTO flow_run (id, name, flow_id, infrastructure_pid, created_by, work_pool_queue_id)
VALUES ('3fffffff-0000-0000-0000-000000000001', 'after', '00000000-0000-0000-0000-000000000001', '4242', '{"type": "DEPLOYMENT"}', '71000000-0000-0000-0000-000000000001');
INSERT INTO flow_run_state (id, type, name, data, flow_run_id) VALUES ('4fffffff-0000-0000-0000-000000000001', 'RUNNING', 'Running', NULL, '3fffffff-0000-0000-0000-000000000001');
INSERT INTO artifact (key, type, data, flow_run_id) VALUES ('after-key', 'markdown', '"# hi"', '30000000-0000-0000-0000-000000000001');
UPDATE flow_run_state SET result_artifact_id = (SELECT id FROM artifact WHERE key = 'after-key') WHERE id = '40000000-0000-0000-0000-000000000001';
