-- Written after the upgrade, in the new schema: tables and columns the run created, and new
-- rows in the tables that were there before it (those rows stay after the revert).
INSERT INTO dag (dag_id, is_paused, is_active, fileloc, owners, timetable_summary, max_active_tasks, max_active_runs,
 has_task_concurrency_limits, max_consecutive_failed_dag_runs) VALUES ('after', false, true, '/dags/after.py', 'new ✓', '"@hourly"', 16, 1, false, 0);
INSERT INTO dag_run (dag_id, logical_date, run_id, run_type, state, triggered_by, clear_number)
VALUES ('after', '2025-01-01 00:00:00+00', 'manual__after', 'manual', 'queued', 'CLI', 0);
UPDATE dag_run SET triggered_by = 'TIMETABLE' WHERE run_id = 'scheduled__1';
