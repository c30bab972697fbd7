-- updater claims: the claim lines that bill a code a release pair retires, in one query.
--
-- Portable SQL (ANSI joins, CASE, COALESCE, LEAST, SUM, COUNT): DuckDB runs it in-process,
-- Spark SQL runs it unchanged on a cluster (tests/test_claims.py checks that sqlglot reads
-- it the same way in both dialects). It is a Jinja template only to repeat the join once
-- per code column; updater.impact.claims.render_query fills it in. totals.sql, beside it, counts
-- every line.
--
-- Inputs (plain identifiers, no quoting needed in either engine):
--   claim_lines: one row per claim line, made by the engine from the extract:
--       facility, payer, department (text), charge (DECIMAL(18,2), NULL when blank),
--       charge_unreadable (0/1), service_date (DATE, NULL when blank), and one text column
--       per code column (proc, dx_1 .. dx_N, mod_1 .. mod_M) holding the codes as
--       written in the extract.
--   affected_procedure, affected_diagnosis, affected_modifier: (raw, code, effective)
--       for each spelling in the extract of a code that is deleted, expanded, terminated
--       or not billable in the new release, with the date from which it is not billable.
--
-- Output: one row per facility, payer, department, at-risk code in each code column
-- (NULL when none) and on_or_after (1 when the date of service is on or after the
-- earliest date from which one of the line's codes is not billable, 0 before, NULL when
-- the line has no date). Only lines with an at-risk code are grouped, so the result is
-- small: the groups times the at-risk code combinations, whatever the number of lines.
SELECT
    facility,
    payer,
    department,
{%- for slot in slots %}
    {{ slot.name }}_code,
{%- endfor %}
    on_or_after,
    COUNT(*) AS lines,
    SUM(charge) AS charges
FROM (
    SELECT
        COALESCE(c.facility, '') AS facility,
        COALESCE(c.payer, '') AS payer,
        COALESCE(c.department, '') AS department,
        c.charge,
{%- for slot in slots %}
        a_{{ slot.name }}.code AS {{ slot.name }}_code,
{%- endfor %}
        CASE
            WHEN c.service_date IS NULL THEN NULL
{%- if slots|length == 1 %}
            WHEN c.service_date >= a_{{ slots[0].name }}.effective THEN 1
{%- else %}
            WHEN c.service_date >= LEAST({% for slot in slots %}a_{{ slot.name }}.effective{{ ", " if not loop.last }}{% endfor %}) THEN 1
{%- endif %}
            ELSE 0
        END AS on_or_after
    FROM claim_lines c
{%- for slot in slots %}
    LEFT JOIN affected_{{ slot.role }} a_{{ slot.name }} ON a_{{ slot.name }}.raw = c.{{ slot.name }}
{%- endfor %}
    WHERE
{%- for slot in slots %}
        {{ "OR " if not loop.first }}a_{{ slot.name }}.code IS NOT NULL
{%- endfor %}
) claim_line
GROUP BY
    facility,
    payer,
    department,
{%- for slot in slots %}
    {{ slot.name }}_code,
{%- endfor %}
    on_or_after
