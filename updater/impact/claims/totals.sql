-- updater claims: every claim line counted, by facility, payer and department.
--
-- Portable SQL, as impact.sql beside it (same input claim_lines); one pass without joins,
-- so the totals (lines, charges, dates, blanks) cost a plain scan.
SELECT
    COALESCE(facility, '') AS facility,
    COALESCE(payer, '') AS payer,
    COALESCE(department, '') AS department,
    COUNT(*) AS lines,
    SUM(charge) AS charges,
    SUM(CASE WHEN service_date IS NULL THEN 1 ELSE 0 END) AS lines_without_date,
    SUM(CASE WHEN charge IS NULL THEN 1 ELSE 0 END) AS lines_without_charge,
    SUM(charge_unreadable) AS charges_unreadable,
    MIN(service_date) AS first_service_date,
    MAX(service_date) AS last_service_date
FROM claim_lines
GROUP BY
    COALESCE(facility, ''),
    COALESCE(payer, ''),
    COALESCE(department, '')
