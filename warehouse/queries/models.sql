-- The models table (warehouse/models.py): which model a command uses when none is named.

-- name: models_newest
-- The newest model (latest created_at; ties broken by id). With $scored, only a model that has stance
-- rows or stored alerts: a model registered but not yet scored has nothing to show.
SELECT m.id
FROM models m
WHERE NOT $scored
   OR m.id IN (SELECT DISTINCT model_id FROM current_stance)
   OR m.id IN (SELECT DISTINCT model_id FROM alerts)
ORDER BY m.created_at DESC, m.id DESC
LIMIT 1;
