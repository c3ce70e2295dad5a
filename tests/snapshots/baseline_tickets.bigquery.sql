WITH `t3` AS (
  SELECT
    IF(
      TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      `t0`.`ticket_id`
    ) AS `tid`,
    IF(TRIM(`t0`.`step`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`step`) AS `step`,
    `t0`.`timestamp` AS `ts`,
    IF(
      TRIM(CAST(`t0`.`timestamp` AS STRING), ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      CAST(`t0`.`timestamp` AS STRING)
    ) IS NULL AS `ts_missing`,
    FALSE AS `bad_ts`,
    IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) AS `outcome`,
    IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) AS `agent`,
    IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) AS `segment`,
    1 AS `n_row`,
    'timestamp' AS `ts_column`
  FROM `ticket_events` AS `t0`
  WHERE
    `t0`.`timestamp` IS NOT NULL
), `t4` AS (
  SELECT
    IF(
      TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      `t0`.`ticket_id`
    ) AS `tid`,
    IF(TRIM(`t0`.`step`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`step`) AS `step`,
    `t0`.`timestamp` AS `ts`,
    IF(
      TRIM(CAST(`t0`.`timestamp` AS STRING), ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      CAST(`t0`.`timestamp` AS STRING)
    ) IS NULL AS `ts_missing`,
    FALSE AS `bad_ts`,
    IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) AS `outcome`,
    IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) AS `agent`,
    IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) AS `segment`,
    1 AS `n_row`,
    'timestamp' AS `ts_column`
  FROM `ticket_events` AS `t0`
  WHERE
    IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) IS NOT NULL
    AND `t0`.`timestamp` IS NOT NULL
), `t5` AS (
  SELECT
    IF(
      TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      `t0`.`ticket_id`
    ) AS `tid`,
    IF(TRIM(`t0`.`step`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`step`) AS `step`,
    `t0`.`timestamp` AS `ts`,
    IF(
      TRIM(CAST(`t0`.`timestamp` AS STRING), ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      CAST(`t0`.`timestamp` AS STRING)
    ) IS NULL AS `ts_missing`,
    FALSE AS `bad_ts`,
    IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) AS `outcome`,
    IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) AS `agent`,
    IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) AS `segment`,
    1 AS `n_row`,
    'timestamp' AS `ts_column`
  FROM `ticket_events` AS `t0`
  WHERE
    IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) IS NOT NULL
    AND `t0`.`timestamp` IS NOT NULL
), `t6` AS (
  SELECT
    IF(
      TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      `t0`.`ticket_id`
    ) AS `tid`,
    IF(TRIM(`t0`.`step`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`step`) AS `step`,
    `t0`.`timestamp` AS `ts`,
    IF(
      TRIM(CAST(`t0`.`timestamp` AS STRING), ' \t\n\r\v\f') IN (''),
      CAST(NULL AS STRING),
      CAST(`t0`.`timestamp` AS STRING)
    ) IS NULL AS `ts_missing`,
    FALSE AS `bad_ts`,
    IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) AS `outcome`,
    IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) AS `agent`,
    IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) AS `segment`,
    1 AS `n_row`,
    'timestamp' AS `ts_column`
  FROM `ticket_events` AS `t0`
  WHERE
    IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) IS NOT NULL
    AND `t0`.`timestamp` IS NOT NULL
), `t41` AS (
  SELECT
    *
  FROM (
    SELECT
      `t12`.`tid`,
      `t12`.`step`,
      `t12`.`ts`,
      `t12`.`ts_missing`,
      `t12`.`bad_ts`,
      `t12`.`outcome`,
      `t12`.`agent`,
      `t12`.`segment`,
      `t12`.`n_row`,
      `t12`.`ts_column`
    FROM (
      SELECT
        IF(
          TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
          CAST(NULL AS STRING),
          `t0`.`ticket_id`
        ) AS `tid`,
        IF(TRIM(`t0`.`step`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`step`) AS `step`,
        `t0`.`timestamp` AS `ts`,
        IF(
          TRIM(CAST(`t0`.`timestamp` AS STRING), ' \t\n\r\v\f') IN (''),
          CAST(NULL AS STRING),
          CAST(`t0`.`timestamp` AS STRING)
        ) IS NULL AS `ts_missing`,
        FALSE AS `bad_ts`,
        IF(TRIM(`t0`.`outcome`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`outcome`) AS `outcome`,
        IF(TRIM(`t0`.`agent_id`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`agent_id`) AS `agent`,
        IF(TRIM(`t0`.`category`, ' \t\n\r\v\f') IN (''), CAST(NULL AS STRING), `t0`.`category`) AS `segment`,
        1 AS `n_row`,
        'timestamp' AS `ts_column`
      FROM `ticket_events` AS `t0`
    ) AS `t12`
    WHERE
      EXISTS(
        SELECT
          1
        FROM (
          SELECT
            `t37`.`tid`
          FROM (
            SELECT
              `t2`.`tid`,
              `t36`.`s`,
              `t36`.`e`,
              `t36`.`e_max`,
              `t36`.`last_ts`,
              `t36`.`ws`,
              `t36`.`we`,
              `t36`.`we_max`,
              `t36`.`r`,
              `t36`.`r_max`,
              `t36`.`outcome_at`
            FROM (
              SELECT DISTINCT
                IF(
                  TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
                  CAST(NULL AS STRING),
                  `t0`.`ticket_id`
                ) AS `tid`
              FROM `ticket_events` AS `t0`
            ) AS `t2`
            LEFT OUTER JOIN (
              SELECT
                `t28`.`tid`,
                MAX(`t28`.`s`) AS `s`,
                MIN(
                  IF(
                    `t28`.`step` IN ('Resolution proposed') AND (
                      `t28`.`ts` >= `t28`.`s`
                    ),
                    `t28`.`ts`,
                    NULL
                  )
                ) AS `e`,
                MAX(IF(`t28`.`step` IN ('Resolution proposed'), `t28`.`ts`, NULL)) AS `e_max`,
                MAX(`t28`.`ts`) AS `last_ts`,
                MAX(`t28`.`ws`) AS `ws`,
                MIN(
                  IF(`t28`.`step` IN ('Closed') AND (
                    `t28`.`ts` >= `t28`.`ws`
                  ), `t28`.`ts`, NULL)
                ) AS `we`,
                MAX(IF(`t28`.`step` IN ('Closed'), `t28`.`ts`, NULL)) AS `we_max`,
                MIN(
                  IF(
                    `t28`.`step` IN ('Evidence requested') AND (
                      `t28`.`ts` >= `t28`.`ws`
                    ),
                    `t28`.`ts`,
                    NULL
                  )
                ) AS `r`,
                MAX(IF(`t28`.`step` IN ('Evidence requested'), `t28`.`ts`, NULL)) AS `r_max`,
                MAX(IF(`t28`.`outcome` IS NOT NULL, `t28`.`ts`, NULL)) AS `outcome_at`
              FROM (
                SELECT
                  `t13`.`tid`,
                  `t13`.`step`,
                  `t13`.`ts`,
                  `t13`.`ts_missing`,
                  `t13`.`bad_ts`,
                  `t13`.`outcome`,
                  `t13`.`agent`,
                  `t13`.`segment`,
                  `t13`.`n_row`,
                  `t13`.`ts_column`,
                  `t24`.`s`,
                  `t24`.`ws`
                FROM `t3` AS `t13`
                INNER JOIN (
                  SELECT
                    `t8`.`tid`,
                    MIN(IF(`t8`.`step` IN ('Evidence received'), `t8`.`ts`, NULL)) AS `s`,
                    MIN(IF(`t8`.`step` IN ('Ticket created'), `t8`.`ts`, NULL)) AS `ws`
                  FROM `t3` AS `t8`
                  GROUP BY
                    1
                ) AS `t24`
                  ON `t13`.`tid` = `t24`.`tid`
              ) AS `t28`
              GROUP BY
                1
            ) AS `t36`
              ON `t2`.`tid` = `t36`.`tid`
          ) AS `t37`
          WHERE
            `t37`.`s` IS NOT NULL
            AND `t37`.`e` IS NULL
            AND NOT (
              COALESCE(`t37`.`e_max` < `t37`.`s`, FALSE)
            )
        ) AS `t39`
        WHERE
          `t12`.`tid` = `t39`.`tid`
      )
  ) AS `t40`
  WHERE
    `t40`.`step` IS NOT NULL AND `t40`.`ts` IS NOT NULL
)
SELECT
  *
FROM (
  SELECT
    `t2`.`tid` AS `ticket_id`,
    UNIX_MICROS(
      IF(COALESCE(`t36`.`e_max` < `t36`.`s`, FALSE), CAST(NULL AS TIMESTAMP), `t36`.`s`)
    ) AS `start_us`,
    UNIX_MICROS(`t36`.`e`) AS `end_us`,
    UNIX_MICROS(`t36`.`last_ts`) AS `last_event_us`,
    IF(`t36`.`e` IS NULL, `t48`.`step_pick`, CAST(NULL AS STRING)) AS `last_step`,
    FALSE AND (
      `t36`.`e` IS NULL
    ) AS `closed_without_end`,
    UNIX_MICROS(
      IF(COALESCE(`t36`.`we_max` < `t36`.`ws`, FALSE), CAST(NULL AS TIMESTAMP), `t36`.`ws`)
    ) AS `workflow_start_us`,
    UNIX_MICROS(`t36`.`we`) AS `workflow_end_us`,
    UNIX_MICROS(
      IF(COALESCE(`t36`.`r_max` < `t36`.`ws`, FALSE), CAST(NULL AS TIMESTAMP), `t36`.`ws`)
    ) AS `first_response_start_us`,
    UNIX_MICROS(`t36`.`r`) AS `first_response_us`,
    COALESCE(`t36`.`r_max` < `t36`.`ws`, FALSE) AS `first_response_before_start`,
    `t32`.`outcome_pick` AS `outcome`,
    `t33`.`agent_pick` AS `agent`,
    `t34`.`segment_pick` AS `segment`,
    UNIX_MICROS(`t36`.`outcome_at`) AS `outcome_at_us`
  FROM (
    SELECT DISTINCT
      IF(
        TRIM(`t0`.`ticket_id`, ' \t\n\r\v\f') IN (''),
        CAST(NULL AS STRING),
        `t0`.`ticket_id`
      ) AS `tid`
    FROM `ticket_events` AS `t0`
  ) AS `t2`
  LEFT OUTER JOIN (
    SELECT
      `t28`.`tid`,
      MAX(`t28`.`s`) AS `s`,
      MIN(
        IF(
          `t28`.`step` IN ('Resolution proposed') AND (
            `t28`.`ts` >= `t28`.`s`
          ),
          `t28`.`ts`,
          NULL
        )
      ) AS `e`,
      MAX(IF(`t28`.`step` IN ('Resolution proposed'), `t28`.`ts`, NULL)) AS `e_max`,
      MAX(`t28`.`ts`) AS `last_ts`,
      MAX(`t28`.`ws`) AS `ws`,
      MIN(
        IF(`t28`.`step` IN ('Closed') AND (
          `t28`.`ts` >= `t28`.`ws`
        ), `t28`.`ts`, NULL)
      ) AS `we`,
      MAX(IF(`t28`.`step` IN ('Closed'), `t28`.`ts`, NULL)) AS `we_max`,
      MIN(
        IF(
          `t28`.`step` IN ('Evidence requested') AND (
            `t28`.`ts` >= `t28`.`ws`
          ),
          `t28`.`ts`,
          NULL
        )
      ) AS `r`,
      MAX(IF(`t28`.`step` IN ('Evidence requested'), `t28`.`ts`, NULL)) AS `r_max`,
      MAX(IF(`t28`.`outcome` IS NOT NULL, `t28`.`ts`, NULL)) AS `outcome_at`
    FROM (
      SELECT
        `t13`.`tid`,
        `t13`.`step`,
        `t13`.`ts`,
        `t13`.`ts_missing`,
        `t13`.`bad_ts`,
        `t13`.`outcome`,
        `t13`.`agent`,
        `t13`.`segment`,
        `t13`.`n_row`,
        `t13`.`ts_column`,
        `t24`.`s`,
        `t24`.`ws`
      FROM `t3` AS `t13`
      INNER JOIN (
        SELECT
          `t8`.`tid`,
          MIN(IF(`t8`.`step` IN ('Evidence received'), `t8`.`ts`, NULL)) AS `s`,
          MIN(IF(`t8`.`step` IN ('Ticket created'), `t8`.`ts`, NULL)) AS `ws`
        FROM `t3` AS `t8`
        GROUP BY
          1
      ) AS `t24`
        ON `t13`.`tid` = `t24`.`tid`
    ) AS `t28`
    GROUP BY
      1
  ) AS `t36`
    ON `t2`.`tid` = `t36`.`tid`
  LEFT OUTER JOIN (
    SELECT
      `t25`.`tid`,
      MAX(`t25`.`outcome`) AS `outcome_pick`
    FROM (
      SELECT
        `t14`.`tid`,
        `t14`.`step`,
        `t14`.`ts`,
        `t14`.`ts_missing`,
        `t14`.`bad_ts`,
        `t14`.`outcome`,
        `t14`.`agent`,
        `t14`.`segment`,
        `t14`.`n_row`,
        `t14`.`ts_column`,
        `t21`.`at`
      FROM `t4` AS `t14`
      INNER JOIN (
        SELECT
          `t9`.`tid`,
          MAX(`t9`.`ts`) AS `at`
        FROM `t4` AS `t9`
        GROUP BY
          1
      ) AS `t21`
        ON `t14`.`tid` = `t21`.`tid` AND `t14`.`ts` = `t21`.`at`
    ) AS `t25`
    GROUP BY
      1
  ) AS `t32`
    ON `t2`.`tid` = `t32`.`tid`
  LEFT OUTER JOIN (
    SELECT
      `t26`.`tid`,
      MAX(`t26`.`agent`) AS `agent_pick`
    FROM (
      SELECT
        `t15`.`tid`,
        `t15`.`step`,
        `t15`.`ts`,
        `t15`.`ts_missing`,
        `t15`.`bad_ts`,
        `t15`.`outcome`,
        `t15`.`agent`,
        `t15`.`segment`,
        `t15`.`n_row`,
        `t15`.`ts_column`,
        `t22`.`at`
      FROM `t5` AS `t15`
      INNER JOIN (
        SELECT
          `t10`.`tid`,
          MAX(`t10`.`ts`) AS `at`
        FROM `t5` AS `t10`
        GROUP BY
          1
      ) AS `t22`
        ON `t15`.`tid` = `t22`.`tid` AND `t15`.`ts` = `t22`.`at`
    ) AS `t26`
    GROUP BY
      1
  ) AS `t33`
    ON `t2`.`tid` = `t33`.`tid`
  LEFT OUTER JOIN (
    SELECT
      `t27`.`tid`,
      MAX(`t27`.`segment`) AS `segment_pick`
    FROM (
      SELECT
        `t16`.`tid`,
        `t16`.`step`,
        `t16`.`ts`,
        `t16`.`ts_missing`,
        `t16`.`bad_ts`,
        `t16`.`outcome`,
        `t16`.`agent`,
        `t16`.`segment`,
        `t16`.`n_row`,
        `t16`.`ts_column`,
        `t23`.`at`
      FROM `t6` AS `t16`
      INNER JOIN (
        SELECT
          `t11`.`tid`,
          MAX(`t11`.`ts`) AS `at`
        FROM `t6` AS `t11`
        GROUP BY
          1
      ) AS `t23`
        ON `t16`.`tid` = `t23`.`tid` AND `t16`.`ts` = `t23`.`at`
    ) AS `t27`
    GROUP BY
      1
  ) AS `t34`
    ON `t2`.`tid` = `t34`.`tid`
  LEFT OUTER JOIN (
    SELECT
      `t46`.`tid`,
      MAX(`t46`.`step`) AS `step_pick`
    FROM (
      SELECT
        `t43`.`tid`,
        `t43`.`step`,
        `t43`.`ts`,
        `t43`.`ts_missing`,
        `t43`.`bad_ts`,
        `t43`.`outcome`,
        `t43`.`agent`,
        `t43`.`segment`,
        `t43`.`n_row`,
        `t43`.`ts_column`,
        `t45`.`at`
      FROM `t41` AS `t43`
      INNER JOIN (
        SELECT
          `t42`.`tid`,
          MAX(`t42`.`ts`) AS `at`
        FROM `t41` AS `t42`
        GROUP BY
          1
      ) AS `t45`
        ON `t43`.`tid` = `t45`.`tid` AND `t43`.`ts` = `t45`.`at`
    ) AS `t46`
    GROUP BY
      1
  ) AS `t48`
    ON `t2`.`tid` = `t48`.`tid`
) AS `t49`
ORDER BY
  `t49`.`ticket_id` ASC NULLS LAST
