-- Stance-shift alerts (insights.alerts, migration 0007). The detector reads one model's stance rows of
-- its current aggregation version (the view current_stance, migration 0009) and replaces that model's
-- alerts in one transaction; the CLI and the dashboard list them.

-- name: alerts_stance_rows
-- Every dated stance row of the model with its outlet, outlet country and ISO week (Monday), oldest
-- first: the weekly series the detector cuts (no texts: alerts_evidence_rows fetches the few it quotes).
SELECT st.article_id,
       date_trunc('week', a.published_at)::DATE AS week,
       st.country AS target,
       a.source AS outlet,
       coalesce(s.country, '??') AS outlet_country,
       st.stance
FROM current_stance st
JOIN articles a ON a.id = st.article_id
LEFT JOIN sources s ON s.name = a.source
WHERE st.model_id = $model_id AND a.published_at IS NOT NULL
ORDER BY a.published_at, st.article_id, st.country;

-- name: alerts_evidence_rows
-- The quoted articles' stance rows toward the alerts' targets, with their evidence sentences and links.
SELECT st.article_id, st.country AS target, a.source AS outlet, a.published_at, a.title, a.url,
       st.stance, st.evidence
FROM current_stance st
JOIN articles a ON a.id = st.article_id
WHERE st.model_id = $model_id AND list_contains($ids, st.article_id);

-- name: alerts_model_aggregation
-- The aggregation version the model's shown stances were made with (no row: none recorded).
SELECT aggregation FROM model_aggregation WHERE model_id = $model_id;

-- name: alerts_delete_model
DELETE FROM alerts WHERE model_id = $model_id;

-- name: alerts_insert
INSERT INTO alerts BY NAME SELECT * FROM batch;

-- name: alerts_list
-- One model's alerts, newest week first, largest shift first within a week. The analyst's filters
-- apply to the alert's target, outlet country and week (date_from: alerts whose shift week starts on
-- or after it).
SELECT id, model_id, aggregation, series, outlet_country, outlet, target, week,
       before, before_lo, before_hi, after, after_lo, after_hi, after - before AS shift,
       n_before, n_after, outlets_before, outlets_after, before_from, after_to,
       movers, evidence, computed_at
FROM alerts
WHERE model_id = $model_id
  AND passes_filters(target := target, outlet_country := outlet_country, published := week,
                     countries := $countries, outlet_countries := $outlet_countries,
                     date_from := $date_from, date_to := $date_to)
ORDER BY week DESC, abs(after - before) DESC, series, outlet_country, outlet NULLS FIRST, target;
