SELECT
  "t2"."key",
  "t2"."rank",
  "t2"."value"
FROM (
  SELECT
    "t1"."week" AS "key",
    "t1"."hours" AS "value",
    (
      ROW_NUMBER() OVER (PARTITION BY "t1"."week" ORDER BY "t1"."hours" ASC) - 1
    ) + 1 AS "rank"
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
      AND (
        CAST("t0"."end_us" - "t0"."start_us" AS DOUBLE) / 3600000000.0
      ) IS NOT NULL
  ) AS "t1"
) AS "t2"
WHERE
  (
    "t2"."rank" = CASE WHEN "t2"."key" = 20227 THEN 79 WHEN "t2"."key" = 20234 THEN 123 ELSE -1 END
  )
  OR (
    "t2"."rank" = CASE WHEN "t2"."key" = 20227 THEN 107 WHEN "t2"."key" = 20234 THEN 156 ELSE -1 END
  )
