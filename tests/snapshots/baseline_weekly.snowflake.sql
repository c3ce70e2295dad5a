SELECT
  *
FROM (
  SELECT
    "t1"."week",
    COUNT(*) AS "tickets_started",
    COUNT("t1"."hours") AS "tickets_completed",
    MEDIAN("t1"."hours") AS "median_hours",
    PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY
      "t1"."hours") AS "p90_hours",
    AVG("t1"."hours") AS "mean_hours"
  FROM (
    SELECT
      "t0"."start_us",
      CAST("t0"."end_us" - "t0"."start_us" AS DOUBLE) / 3600000000.0 AS "hours",
      COALESCE("t0"."segment", '(blank)') AS "segment",
      CAST(FLOOR((
        "t0"."start_us" + 28800000000
      ) / (
        86400000000
      )) AS BIGINT) - (
        (
          CAST(FLOOR((
            "t0"."start_us" + 28800000000
          ) / (
            86400000000
          )) AS BIGINT) + 10
        ) % 7
      ) AS "week"
    FROM "ticket_rows" AS "t0"
    WHERE
      "t0"."start_us" IS NOT NULL
      AND NOT (
        COALESCE("t0"."closed_without_end", FALSE)
      )
  ) AS "t1"
  GROUP BY
    1
) AS "t2"
ORDER BY
  "t2"."week" ASC
