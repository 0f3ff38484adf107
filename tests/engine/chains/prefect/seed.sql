-- Prefect's base (p00): flows, deployments, work queues, runs and their states, some with results.
INSERT INTO flow (id, name, tags) SELECT ('00000000-0000-0000-0000-00000000000' || i)::uuid, 'flow ' || i, (CASE WHEN i = 1 THEN '[]' ELSE '["etl", "ünï"]' END)::jsonb FROM generate_series(1, 3) i;
INSERT INTO work_queue (id, name, description, concurrency_limit) VALUES
 ('10000000-0000-0000-0000-000000000001', 'default', '', NULL), ('10000000-0000-0000-0000-000000000002', 'gpu', 'GPU ✓', 2);
INSERT INTO deployment (id, name, flow_id, work_queue_name, parameters)
SELECT ('20000000-0000-0000-0000-00000000000' || i)::uuid, 'deploy ' || i, ('00000000-0000-0000-0000-00000000000' || (1 + mod(i, 3)))::uuid,
 CASE WHEN i = 3 THEN NULL ELSE 'default' END, ('{"x": ' || i || '}')::jsonb FROM generate_series(1, 3) i;
INSERT INTO flow_run (id, name, flow_id, deployment_id, auto_scheduled, next_scheduled_start_time, work_queue_name, run_count)
SELECT ('30000000-0000-0000-0000-00000000000' || i)::uuid, 'run-' || i, ('00000000-0000-0000-0000-00000000000' || (1 + mod(i, 3)))::uuid,
 CASE WHEN mod(i, 4) = 0 THEN NULL ELSE ('20000000-0000-0000-0000-00000000000' || (1 + mod(i, 3)))::uuid END, mod(i, 2) = 0,
 '2022-10-01 00:00:00+00'::timestamptz + i * interval '1 hour', 'default', i FROM generate_series(1, 6) i;
-- Each run's state; run 6 has none. Results: a value, JSON null, SQL NULL.
INSERT INTO flow_run_state (id, type, timestamp, name, data, flow_run_id)
SELECT ('40000000-0000-0000-0000-00000000000' || i)::uuid, (ARRAY['SCHEDULED', 'RUNNING', 'COMPLETED', 'FAILED', 'COMPLETED'])[i]::state_type,
 '2022-10-02 00:00:00+00'::timestamptz + i * interval '1 minute', 'state ' || i,
 CASE mod(i, 3) WHEN 0 THEN NULL WHEN 1 THEN 'null'::jsonb ELSE ('{"result": ' || i || '}')::jsonb END, ('30000000-0000-0000-0000-00000000000' || i)::uuid
FROM generate_series(1, 5) i;
UPDATE flow_run SET state_id = s.id, state_type = s.type, state_name = s.name FROM flow_run_state s WHERE s.flow_run_id = flow_run.id;
INSERT INTO task_run (id, name, flow_run_id, task_key, dynamic_key, run_count)
SELECT ('50000000-0000-0000-0000-00000000000' || i)::uuid, 'task-' || i, ('30000000-0000-0000-0000-00000000000' || (1 + mod(i, 5)))::uuid, 'key' || i, '0', i
FROM generate_series(1, 8) i;
INSERT INTO task_run_state (id, type, timestamp, name, data, task_run_id)
SELECT ('60000000-0000-0000-0000-00000000000' || i)::uuid, 'COMPLETED', '2022-10-03 00:00:00+00'::timestamptz + i * interval '1 second', 'Completed',
 CASE mod(i, 3) WHEN 0 THEN NULL WHEN 1 THEN ('{"value": "ü' || i || '"}')::jsonb ELSE 'null'::jsonb END, ('50000000-0000-0000-0000-00000000000' || i)::uuid
FROM generate_series(1, 7) i;
UPDATE task_run SET state_id = s.id, state_type = s.type FROM task_run_state s WHERE s.task_run_id = task_run.id;
