SELECT
  *
FROM (
  SELECT
    "t1"."week",
    COUNT(*) AS "tickets_started",
    COUNT("t1"."hours") AS "tickets_completed",
    APPROX_PERCENTILE("t1"."hours", 0.5) AS "median_hours",
    APPROX_PERCENTILE("t1"."hours", CAST(0.9 AS DOUBLE)) AS "p90_hours",
    AVG("t1"."hours") AS "mean_hours"
  FROM (
    SELECT
      "t0"."start_us",
      CAST("t0"."end_us" - "t0"."start_us" AS DOUBLE) / CAST(3600000000.0 AS DOUBLE) AS "hours",
      COALESCE("t0"."segment", '(blank)') AS "segment",
      CAST(FLOOR(CAST((
        "t0"."start_us" + 28800000000
      ) AS DOUBLE) / (
        86400000000
      )) AS BIGINT) - (
        (
          CAST(FLOOR(CAST((
            "t0"."start_us" + 28800000000
          ) AS DOUBLE) / (
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
