-- The analyst's filters (warehouse.filters.Filters) as one predicate, the only place they are spelled
-- out: every filtered named query calls passes_filters(...) instead of repeating the conditions. The
-- dashboard's in-memory snapshot runs this same file (warehouse.filters.define_filter_macro), so its
-- dashboard_mem_* queries use the same definition.
--
-- Every argument is named and defaults to NULL. A query passes the columns it has (target, outlet,
-- outlet_country, language, published, stance, title, body) and the filter parameters that apply to
-- them (countries, outlets, outlet_countries, languages, date_from, date_to, stance_min, stance_max,
-- text, as bound from Filters.params()); a filter parameter left out, or bound to NULL, restricts
-- nothing. A filter parameter given without its column tests NULL and drops every row, so a forgotten
-- column shows up as an empty result, never as a silently ignored filter.
--
-- The one date rule: date_from and date_to are whole days, both inclusive, on the publication time:
-- date_from <= published < date_to + 1 day (published may be a TIMESTAMP or a DATE).
-- text is a LIKE pattern (Filters.params() escapes it with a backslash) matched case-insensitively
-- against title or body.
CREATE OR REPLACE MACRO passes_filters(
    target := NULL, outlet := NULL, outlet_country := NULL, language := NULL, published := NULL,
    stance := NULL, title := NULL, body := NULL,
    countries := NULL, outlets := NULL, outlet_countries := NULL, languages := NULL,
    date_from := NULL, date_to := NULL, stance_min := NULL, stance_max := NULL, text := NULL
) AS
    (countries::VARCHAR[] IS NULL OR list_contains(countries::VARCHAR[], target))
    AND (outlets::VARCHAR[] IS NULL OR list_contains(outlets::VARCHAR[], outlet))
    AND (outlet_countries::VARCHAR[] IS NULL OR list_contains(outlet_countries::VARCHAR[], outlet_country))
    AND (languages::VARCHAR[] IS NULL OR list_contains(languages::VARCHAR[], language))
    AND (date_from::DATE IS NULL OR published >= date_from::DATE)
    AND (date_to::DATE IS NULL OR published < date_to::DATE + 1)
    AND (stance_min::DOUBLE IS NULL OR stance >= stance_min::DOUBLE)
    AND (stance_max::DOUBLE IS NULL OR stance <= stance_max::DOUBLE)
    AND (text::VARCHAR IS NULL OR title ILIKE text::VARCHAR ESCAPE '\' OR body ILIKE text::VARCHAR ESCAPE '\');
