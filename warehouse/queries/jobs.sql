-- Job requests and schedules: written by the CLI and the dashboard, run by the scheduler.

-- name: insert_job
INSERT INTO jobs (id, kind, sources, args, state, requested_at, requested_by, schedule_id)
VALUES ($id, $kind, CAST($sources AS VARCHAR[]), CAST($args AS JSON), 'queued', $requested_at,
        $requested_by, $schedule_id);

-- name: list_jobs
SELECT id, kind, sources, args, state, requested_at, requested_by, schedule_id, started_at, finished_at,
       error, log_tail
FROM jobs ORDER BY requested_at DESC, id DESC LIMIT $limit;

-- name: get_job
SELECT id, kind, sources, args, state, requested_at, requested_by, schedule_id, started_at, finished_at,
       error, log_tail
FROM jobs WHERE id = $id;

-- name: queued_jobs
SELECT id, kind, sources, args, state, requested_at, requested_by, schedule_id
FROM jobs WHERE state = 'queued' ORDER BY requested_at, id;

-- name: start_job
UPDATE jobs SET state = 'running', started_at = $now
WHERE id = $id AND state = 'queued' RETURNING id;

-- name: finish_job
UPDATE jobs SET state = $state, finished_at = $now, error = $error, log_tail = $log_tail
WHERE id = $id;

-- name: interrupt_running_jobs
UPDATE jobs SET state = 'interrupted', finished_at = $now,
       error = coalesce(error, $reason)
WHERE state = 'running' RETURNING id;

-- name: schedule_by_name
SELECT id FROM schedules WHERE name = $name;

-- name: insert_schedule
INSERT INTO schedules (id, name, cron, sources, paused, created_at, last_run_at)
VALUES ($id, $name, $cron, CAST($sources AS VARCHAR[]), false, $created_at, NULL);

-- name: update_schedule
UPDATE schedules SET
    cron = coalesce($cron, cron),
    sources = CASE WHEN $set_sources THEN CAST($sources AS VARCHAR[]) ELSE sources END,
    paused = coalesce($paused, paused)
WHERE id = $id RETURNING id;

-- name: delete_schedule
DELETE FROM schedules WHERE id = $id RETURNING id;

-- name: list_schedules
SELECT id, name, cron, sources, paused, created_at, last_run_at
FROM schedules ORDER BY created_at, id;

-- name: mark_schedule_run
UPDATE schedules SET last_run_at = $now WHERE id = $id;

-- name: schedule_has_pending_job
SELECT count(*) FROM jobs WHERE schedule_id = $id AND state = 'queued';
