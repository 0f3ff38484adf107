-- Airflow's schema at 686269002441 (2.10): DAGs (one a SubDAG, one pickled), their runs, task
-- instances and failures, a dataset, variables, a pool and the audit log.
INSERT INTO dag_pickle (id, pickle, created_dttm, pickle_hash) VALUES (1, '\x80049500'::bytea, '2024-05-01 00:00:00+00', 42);
INSERT INTO dag (dag_id, is_paused, is_subdag, is_active, fileloc, owners, schedule_interval, timetable_description,
 max_active_tasks, max_active_runs, has_task_concurrency_limits, max_consecutive_failed_dag_runs, root_dag_id,
 scheduler_lock, pickle_id, last_pickled, dag_display_name) VALUES
 ('etl', false, false, true, '/dags/etl.py', 'data', '"@daily"', 'At 00:00', 16, 1, false, 0, NULL, NULL, 1, '2024-05-01 00:00:00+00', 'ETL ✓'),
 ('etl.sub', false, true, true, '/dags/etl.py', 'data', NULL, NULL, 16, 1, false, 0, 'etl', NULL, NULL, NULL, NULL),
 ('report', true, false, false, '/dags/report.py', 'ünï', '"0 6 * * *"', NULL, 4, 2, true, 3, NULL, true, NULL, NULL, NULL);
INSERT INTO dag_run (dag_id, execution_date, run_id, run_type, state, external_trigger, conf, data_interval_start, data_interval_end, clear_number)
SELECT d, '2024-05-01 00:00:00+00'::timestamptz + i * interval '1 day', 'scheduled__' || i, (ARRAY['scheduled', 'manual', 'backfill'])[1 + mod(i, 3)],
 (ARRAY['success', 'failed', 'running'])[1 + mod(i, 3)], mod(i, 3) = 1, CASE WHEN mod(i, 2) = 0 THEN '\x80049500'::bytea END,
 '2024-05-01 00:00:00+00'::timestamptz + (i - 1) * interval '1 day', '2024-05-01 00:00:00+00'::timestamptz + i * interval '1 day', mod(i, 2)
FROM generate_series(1, 4) i, (VALUES ('etl'), ('report')) AS dags(d);
INSERT INTO task_instance (task_id, dag_id, run_id, map_index, pool, pool_slots, state, try_number, max_tries, priority_weight, operator, queue)
SELECT t, r.dag_id, r.run_id, m, 'default_pool', 1, r.state, 1 + m, 2, 1, 'PythonOperator', 'default'
FROM dag_run r, (VALUES ('extract'), ('load ✓')) AS tasks(t), generate_series(-1, 0) m;
INSERT INTO task_fail (task_id, dag_id, run_id, map_index, start_date, end_date, duration)
SELECT task_id, dag_id, run_id, map_index, '2024-05-02 00:00:00+00', '2024-05-02 00:01:00+00', 60 FROM task_instance WHERE state = 'failed';
INSERT INTO dataset (uri, extra, created_at, updated_at) VALUES ('s3://bucket/ünï', '{"k": 1}', '2024-05-01 00:00:00+00', '2024-05-01 00:00:00+00');
INSERT INTO variable (key, val, description, is_encrypted) VALUES ('env', 'prod', 'quote''d', false), ('secret', 'gAAAA', NULL, true);
INSERT INTO log (dttm, dag_id, task_id, event, execution_date, owner, extra) VALUES
 ('2024-05-02 00:00:00+00', 'etl', 'extract', 'cli_task_run', '2024-05-02 00:00:00+00', 'airflow', '{"host": "w1"}'),
 ('2024-05-02 00:00:01+00', NULL, NULL, 'login', NULL, 'admin', NULL);
