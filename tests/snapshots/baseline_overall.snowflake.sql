SELECT
  COUNT(*) AS "n",
  COUNT("t1"."hours") AS "completed",
  AVG("t1"."hours") AS "mean",
  MEDIAN("t1"."hours") AS "median",
  PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY
    "t1"."hours") AS "p90",
  MIN("t1"."start_us") AS "first_us",
  MAX("t1"."start_us") AS "last_us"
FROM (
  SELECT
    "t0"."start_us",
    CAST("t0"."end_us" - "t0"."start_us" AS DOUBLE) / 3600000000.0 AS "hours",
    COALESCE("t0"."segment", '(blank)') AS "segment"
  FROM "ticket_rows" AS "t0"
  WHERE
    "t0"."start_us" IS NOT NULL
    AND NOT (
      COALESCE("t0"."closed_without_end", FALSE)
    )
) AS "t1"
