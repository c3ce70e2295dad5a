WITH "t4" AS (
  SELECT
    "t1"."ticket",
    MIN("t1"."at") AS "start"
  FROM (
    SELECT
      "t0"."ticket",
      "t0"."step",
      "t0"."ts" AS "at"
    FROM "ticket_events" AS "t0"
    WHERE
      "t0"."step" = 'Created'
  ) AS "t1"
  GROUP BY
    1
)
SELECT
  COUNT(*) AS "completed",
  MEDIAN("t14"."hours") AS "median",
  PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY
    "t14"."hours") AS "p90"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t12"."ticket",
      "t12"."start",
      "t12"."end",
      CAST(DATE_PART('epoch_microsecond', "t12"."end") - DATE_PART('epoch_microsecond', "t12"."start") AS DOUBLE) / 3600000000.0 AS "hours"
    FROM (
      SELECT
        "t6"."ticket",
        "t6"."start",
        "t11"."end"
      FROM "t4" AS "t6"
      LEFT OUTER JOIN (
        SELECT
          "t9"."ticket",
          MIN("t9"."at") AS "end"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t3"."ticket",
              "t3"."step",
              "t3"."at",
              "t7"."start"
            FROM (
              SELECT
                "t0"."ticket",
                "t0"."step",
                "t0"."ts" AS "at"
              FROM "ticket_events" AS "t0"
              WHERE
                "t0"."step" = 'Resolved'
            ) AS "t3"
            INNER JOIN "t4" AS "t7"
              ON "t3"."ticket" = "t7"."ticket"
          ) AS "t8"
          WHERE
            "t8"."at" >= "t8"."start"
        ) AS "t9"
        GROUP BY
          1
      ) AS "t11"
        ON "t6"."ticket" = "t11"."ticket"
    ) AS "t12"
  ) AS "t13"
  WHERE
    "t13"."hours" IS NOT NULL
) AS "t14"
