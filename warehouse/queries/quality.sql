-- The model's dev figures per language (migration 0010, analysis.model_quality): written when scoring
-- registers a model, read by the dashboard beside the language filter and on each article's evidence.

-- name: quality_delete_model
-- A model's figures are replaced as a whole: a language its refitted card no longer measures must go.
DELETE FROM model_quality WHERE model_id = $model_id;

-- name: quality_insert
INSERT INTO model_quality BY NAME
SELECT model_id, language, dev_set, route, n, f1_pn, f1_pn_lo, f1_pn_hi, macro_f1, ece, ece_cross_fitted,
       recorded_at
FROM batch;

-- name: quality_of_model
-- Every language the model has dev figures for; a language not listed is unmeasured.
SELECT language, dev_set, route, n, f1_pn, f1_pn_lo, f1_pn_hi, macro_f1, ece, ece_cross_fitted, recorded_at
FROM model_quality
WHERE model_id = $model_id
ORDER BY language;
