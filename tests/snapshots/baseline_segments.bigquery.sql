SELECT
  `t1`.`segment`,
  COUNT(*) AS `tickets`,
  COUNT(`t1`.`hours`) AS `completed`,
  APPROX_QUANTILES(`t1`.`hours`, 2)[offset(1)] AS `median`,
  APPROX_QUANTILES(`t1`.`hours`, 10 IGNORE NULLS)[9] AS `p90`
FROM (
  SELECT
    `t0`.`start_us`,
    ieee_divide(CAST(`t0`.`end_us` - `t0`.`start_us` AS FLOAT64), 3600000000.0) AS `hours`,
    COALESCE(`t0`.`segment`, '(blank)') AS `segment`
  FROM `ticket_rows` AS `t0`
  WHERE
    `t0`.`start_us` IS NOT NULL
    AND NOT (
      COALESCE(`t0`.`closed_without_end`, FALSE)
    )
) AS `t1`
GROUP BY
  1
