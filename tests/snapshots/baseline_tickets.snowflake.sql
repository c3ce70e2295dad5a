WITH "t1" AS (
  SELECT
    NULLIF("t0"."ticket_id", '') AS "tid",
    NULLIF("t0"."step", '') AS "step",
    "t0"."timestamp" AS "ts",
    NULLIF(CAST("t0"."timestamp" AS VARCHAR), '') IS NULL AS "ts_missing",
    FALSE AS "bad_ts",
    NULLIF("t0"."outcome", '') AS "outcome",
    NULLIF("t0"."agent_id", '') AS "agent",
    NULLIF("t0"."category", '') AS "segment",
    1 AS "n_row",
    'timestamp' AS "ts_column",
    NULLIF(CAST("t0"."timestamp" AS VARCHAR), '') AS "ts_raw"
  FROM "ticket_events" AS "t0"
), "t4" AS (
  SELECT
    "t2"."tid",
    MIN(IFF("t2"."step" IN ('Evidence received'), "t2"."ts", NULL)) AS "s",
    MIN(IFF("t2"."step" IN ('Resolution proposed'), "t2"."ts", NULL)) AS "s_end_min",
    MAX(IFF("t2"."step" IN ('Resolution proposed'), "t2"."ts", NULL)) AS "s_end_max",
    MIN(IFF("t2"."step" IN ('Ticket created'), "t2"."ts", NULL)) AS "ws",
    MIN(IFF("t2"."step" IN ('Closed'), "t2"."ts", NULL)) AS "ws_end_min",
    MAX(IFF("t2"."step" IN ('Closed'), "t2"."ts", NULL)) AS "ws_end_max",
    MIN(IFF("t2"."step" IN ('Ticket created'), "t2"."ts", NULL)) AS "r",
    MIN(IFF("t2"."step" IN ('Evidence requested'), "t2"."ts", NULL)) AS "r_end_min",
    MAX(IFF("t2"."step" IN ('Evidence requested'), "t2"."ts", NULL)) AS "r_end_max",
    SUBSTRING(
      MAX(
        IFF(
          (
            "t2"."outcome" IS NOT NULL
          ) AND (
            "t2"."ts" IS NOT NULL
          ),
          CONCAT(
            CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
            "t2"."outcome"
          ),
          NULL
        )
      ),
      IFF(
        (
          18 + 1
        ) >= 1,
        18 + 1,
        18 + 1 + LENGTH(
          MAX(
            IFF(
              (
                "t2"."outcome" IS NOT NULL
              ) AND (
                "t2"."ts" IS NOT NULL
              ),
              CONCAT(
                CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
                "t2"."outcome"
              ),
              NULL
            )
          )
        )
      )
    ) AS "outcome_pick",
    SUBSTRING(
      MAX(
        IFF(
          (
            "t2"."agent" IS NOT NULL
          ) AND (
            "t2"."ts" IS NOT NULL
          ),
          CONCAT(
            CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
            "t2"."agent"
          ),
          NULL
        )
      ),
      IFF(
        (
          18 + 1
        ) >= 1,
        18 + 1,
        18 + 1 + LENGTH(
          MAX(
            IFF(
              (
                "t2"."agent" IS NOT NULL
              ) AND (
                "t2"."ts" IS NOT NULL
              ),
              CONCAT(
                CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
                "t2"."agent"
              ),
              NULL
            )
          )
        )
      )
    ) AS "agent_pick",
    SUBSTRING(
      MAX(
        IFF(
          (
            "t2"."segment" IS NOT NULL
          ) AND (
            "t2"."ts" IS NOT NULL
          ),
          CONCAT(
            CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
            "t2"."segment"
          ),
          NULL
        )
      ),
      IFF(
        (
          18 + 1
        ) >= 1,
        18 + 1,
        18 + 1 + LENGTH(
          MAX(
            IFF(
              (
                "t2"."segment" IS NOT NULL
              ) AND (
                "t2"."ts" IS NOT NULL
              ),
              CONCAT(
                CAST(DATE_PART('epoch_microsecond', "t2"."ts") + 100000000000000000 AS VARCHAR),
                "t2"."segment"
              ),
              NULL
            )
          )
        )
      )
    ) AS "segment_pick",
    MAX(IFF("t2"."outcome" IS NOT NULL, "t2"."ts", NULL)) AS "outcome_at",
    MAX("t2"."ts") AS "last_ts",
    MIN("t2"."ts") AS "first_ts",
    COUNT(*) AS "n_events",
    SUM("t2"."n_row") AS "n_rows",
    COUNT_IF("t2"."ts" IS NOT NULL) AS "n_ts",
    COUNT(DISTINCT "t2"."ts") AS "n_instants",
    COUNT_IF("t2"."step" IS NULL) AS "blank_step",
    COUNT_IF("t2"."bad_ts") AS "bad_ts",
    COUNT_IF("t2"."ts_missing") AS "no_ts"
  FROM "t1" AS "t2"
  GROUP BY
    1
), "t18" AS (
  SELECT
    "t6"."tid",
    "t6"."s",
    "t6"."s_end_min",
    "t6"."s_end_max",
    "t6"."ws",
    "t6"."ws_end_min",
    "t6"."ws_end_max",
    "t6"."r",
    "t6"."r_end_min",
    "t6"."r_end_max",
    "t6"."outcome_pick",
    "t6"."agent_pick",
    "t6"."segment_pick",
    "t6"."outcome_at",
    "t6"."last_ts",
    "t6"."first_ts",
    "t6"."n_events",
    "t6"."n_rows",
    "t6"."n_ts",
    "t6"."n_instants",
    "t6"."blank_step",
    "t6"."bad_ts",
    "t6"."no_ts",
    IFF("t6"."s_end_min" >= "t6"."s", "t6"."s_end_min", "t17"."fix") AS "s_end"
  FROM "t4" AS "t6"
  LEFT OUTER JOIN (
    SELECT
      "t15"."tid",
      MIN("t15"."ts") AS "fix"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t13"."tid",
          "t13"."step",
          "t13"."ts",
          "t13"."ts_missing",
          "t13"."bad_ts",
          "t13"."outcome",
          "t13"."agent",
          "t13"."segment",
          "t13"."n_row",
          "t13"."ts_column",
          "t13"."ts_raw",
          "t9"."fix_start"
        FROM (
          SELECT
            "t3"."tid",
            "t3"."step",
            "t3"."ts",
            "t3"."ts_missing",
            "t3"."bad_ts",
            "t3"."outcome",
            "t3"."agent",
            "t3"."segment",
            "t3"."n_row",
            "t3"."ts_column",
            "t3"."ts_raw"
          FROM "t1" AS "t3"
          WHERE
            EXISTS(
              SELECT
                1
              FROM (
                SELECT
                  "t5"."tid"
                FROM "t4" AS "t5"
                WHERE
                  "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
              ) AS "t10"
              WHERE
                "t3"."tid" = "t10"."tid"
            )
        ) AS "t13"
        INNER JOIN (
          SELECT
            "t5"."tid",
            "t5"."s" AS "fix_start"
          FROM "t4" AS "t5"
          WHERE
            "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
        ) AS "t9"
          ON "t13"."tid" = "t9"."tid"
      ) AS "t14"
      WHERE
        "t14"."step" IN ('Resolution proposed') AND "t14"."ts" >= "t14"."fix_start"
    ) AS "t15"
    GROUP BY
      1
  ) AS "t17"
    ON "t6"."tid" = "t17"."tid"
), "t31" AS (
  SELECT
    "t6"."tid",
    "t6"."s",
    "t6"."s_end_min",
    "t6"."s_end_max",
    "t6"."ws",
    "t6"."ws_end_min",
    "t6"."ws_end_max",
    "t6"."r",
    "t6"."r_end_min",
    "t6"."r_end_max",
    "t6"."outcome_pick",
    "t6"."agent_pick",
    "t6"."segment_pick",
    "t6"."outcome_at",
    "t6"."last_ts",
    "t6"."first_ts",
    "t6"."n_events",
    "t6"."n_rows",
    "t6"."n_ts",
    "t6"."n_instants",
    "t6"."blank_step",
    "t6"."bad_ts",
    "t6"."no_ts",
    IFF("t6"."s_end_min" >= "t6"."s", "t6"."s_end_min", "t17"."fix") AS "s_end",
    IFF("t6"."ws_end_min" >= "t6"."ws", "t6"."ws_end_min", "t30"."fix") AS "ws_end"
  FROM "t4" AS "t6"
  LEFT OUTER JOIN (
    SELECT
      "t15"."tid",
      MIN("t15"."ts") AS "fix"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t13"."tid",
          "t13"."step",
          "t13"."ts",
          "t13"."ts_missing",
          "t13"."bad_ts",
          "t13"."outcome",
          "t13"."agent",
          "t13"."segment",
          "t13"."n_row",
          "t13"."ts_column",
          "t13"."ts_raw",
          "t9"."fix_start"
        FROM (
          SELECT
            "t3"."tid",
            "t3"."step",
            "t3"."ts",
            "t3"."ts_missing",
            "t3"."bad_ts",
            "t3"."outcome",
            "t3"."agent",
            "t3"."segment",
            "t3"."n_row",
            "t3"."ts_column",
            "t3"."ts_raw"
          FROM "t1" AS "t3"
          WHERE
            EXISTS(
              SELECT
                1
              FROM (
                SELECT
                  "t5"."tid"
                FROM "t4" AS "t5"
                WHERE
                  "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
              ) AS "t10"
              WHERE
                "t3"."tid" = "t10"."tid"
            )
        ) AS "t13"
        INNER JOIN (
          SELECT
            "t5"."tid",
            "t5"."s" AS "fix_start"
          FROM "t4" AS "t5"
          WHERE
            "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
        ) AS "t9"
          ON "t13"."tid" = "t9"."tid"
      ) AS "t14"
      WHERE
        "t14"."step" IN ('Resolution proposed') AND "t14"."ts" >= "t14"."fix_start"
    ) AS "t15"
    GROUP BY
      1
  ) AS "t17"
    ON "t6"."tid" = "t17"."tid"
  LEFT OUTER JOIN (
    SELECT
      "t28"."tid",
      MIN("t28"."ts") AS "fix"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t26"."tid",
          "t26"."step",
          "t26"."ts",
          "t26"."ts_missing",
          "t26"."bad_ts",
          "t26"."outcome",
          "t26"."agent",
          "t26"."segment",
          "t26"."n_row",
          "t26"."ts_column",
          "t26"."ts_raw",
          "t22"."fix_start"
        FROM (
          SELECT
            "t3"."tid",
            "t3"."step",
            "t3"."ts",
            "t3"."ts_missing",
            "t3"."bad_ts",
            "t3"."outcome",
            "t3"."agent",
            "t3"."segment",
            "t3"."n_row",
            "t3"."ts_column",
            "t3"."ts_raw"
          FROM "t1" AS "t3"
          WHERE
            EXISTS(
              SELECT
                1
              FROM (
                SELECT
                  "t19"."tid"
                FROM "t18" AS "t19"
                WHERE
                  "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
              ) AS "t23"
              WHERE
                "t3"."tid" = "t23"."tid"
            )
        ) AS "t26"
        INNER JOIN (
          SELECT
            "t19"."tid",
            "t19"."ws" AS "fix_start"
          FROM "t18" AS "t19"
          WHERE
            "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
        ) AS "t22"
          ON "t26"."tid" = "t22"."tid"
      ) AS "t27"
      WHERE
        "t27"."step" IN ('Closed') AND "t27"."ts" >= "t27"."fix_start"
    ) AS "t28"
    GROUP BY
      1
  ) AS "t30"
    ON "t6"."tid" = "t30"."tid"
)
SELECT
  *
FROM (
  SELECT
    "t50"."tid" AS "ticket_id",
    DATE_PART(
      'epoch_microsecond',
      IFF(
        (
          "t50"."s" IS NOT NULL
        )
        AND NOT (
          COALESCE("t50"."s_end_max" < "t50"."s", FALSE)
        ),
        "t50"."s",
        CAST(NULL AS TIMESTAMPTZ)
      )
    ) AS "start_us",
    DATE_PART('epoch_microsecond', "t50"."s_end") AS "end_us",
    DATE_PART('epoch_microsecond', "t50"."last_ts") AS "last_event_us",
    IFF("t50"."s_end" IS NULL, "t50"."step_pick", CAST(NULL AS VARCHAR)) AS "last_step",
    FALSE AND (
      "t50"."s_end" IS NULL
    ) AS "closed_without_end",
    DATE_PART(
      'epoch_microsecond',
      IFF(
        COALESCE("t50"."ws_end_max" < "t50"."ws", FALSE),
        CAST(NULL AS TIMESTAMPTZ),
        "t50"."ws"
      )
    ) AS "workflow_start_us",
    DATE_PART('epoch_microsecond', "t50"."ws_end") AS "workflow_end_us",
    DATE_PART(
      'epoch_microsecond',
      IFF(COALESCE("t50"."r_end_max" < "t50"."r", FALSE), CAST(NULL AS TIMESTAMPTZ), "t50"."r")
    ) AS "first_response_start_us",
    DATE_PART('epoch_microsecond', "t50"."r_end") AS "first_response_us",
    COALESCE("t50"."r_end_max" < "t50"."r", FALSE) AS "first_response_before_start",
    "t50"."outcome_pick" AS "outcome",
    "t50"."agent_pick" AS "agent",
    "t50"."segment_pick" AS "segment",
    DATE_PART('epoch_microsecond', "t50"."outcome_at") AS "outcome_at_us"
  FROM (
    SELECT
      "t6"."tid",
      "t6"."s",
      "t6"."s_end_min",
      "t6"."s_end_max",
      "t6"."ws",
      "t6"."ws_end_min",
      "t6"."ws_end_max",
      "t6"."r",
      "t6"."r_end_min",
      "t6"."r_end_max",
      "t6"."outcome_pick",
      "t6"."agent_pick",
      "t6"."segment_pick",
      "t6"."outcome_at",
      "t6"."last_ts",
      "t6"."first_ts",
      "t6"."n_events",
      "t6"."n_rows",
      "t6"."n_ts",
      "t6"."n_instants",
      "t6"."blank_step",
      "t6"."bad_ts",
      "t6"."no_ts",
      IFF("t6"."s_end_min" >= "t6"."s", "t6"."s_end_min", "t17"."fix") AS "s_end",
      IFF("t6"."ws_end_min" >= "t6"."ws", "t6"."ws_end_min", "t30"."fix") AS "ws_end",
      IFF("t6"."r_end_min" >= "t6"."r", "t6"."r_end_min", "t43"."fix") AS "r_end",
      "t49"."step_pick"
    FROM "t4" AS "t6"
    LEFT OUTER JOIN (
      SELECT
        "t15"."tid",
        MIN("t15"."ts") AS "fix"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t13"."tid",
            "t13"."step",
            "t13"."ts",
            "t13"."ts_missing",
            "t13"."bad_ts",
            "t13"."outcome",
            "t13"."agent",
            "t13"."segment",
            "t13"."n_row",
            "t13"."ts_column",
            "t13"."ts_raw",
            "t9"."fix_start"
          FROM (
            SELECT
              "t3"."tid",
              "t3"."step",
              "t3"."ts",
              "t3"."ts_missing",
              "t3"."bad_ts",
              "t3"."outcome",
              "t3"."agent",
              "t3"."segment",
              "t3"."n_row",
              "t3"."ts_column",
              "t3"."ts_raw"
            FROM "t1" AS "t3"
            WHERE
              EXISTS(
                SELECT
                  1
                FROM (
                  SELECT
                    "t5"."tid"
                  FROM "t4" AS "t5"
                  WHERE
                    "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
                ) AS "t10"
                WHERE
                  "t3"."tid" = "t10"."tid"
              )
          ) AS "t13"
          INNER JOIN (
            SELECT
              "t5"."tid",
              "t5"."s" AS "fix_start"
            FROM "t4" AS "t5"
            WHERE
              "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
          ) AS "t9"
            ON "t13"."tid" = "t9"."tid"
        ) AS "t14"
        WHERE
          "t14"."step" IN ('Resolution proposed') AND "t14"."ts" >= "t14"."fix_start"
      ) AS "t15"
      GROUP BY
        1
    ) AS "t17"
      ON "t6"."tid" = "t17"."tid"
    LEFT OUTER JOIN (
      SELECT
        "t28"."tid",
        MIN("t28"."ts") AS "fix"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t26"."tid",
            "t26"."step",
            "t26"."ts",
            "t26"."ts_missing",
            "t26"."bad_ts",
            "t26"."outcome",
            "t26"."agent",
            "t26"."segment",
            "t26"."n_row",
            "t26"."ts_column",
            "t26"."ts_raw",
            "t22"."fix_start"
          FROM (
            SELECT
              "t3"."tid",
              "t3"."step",
              "t3"."ts",
              "t3"."ts_missing",
              "t3"."bad_ts",
              "t3"."outcome",
              "t3"."agent",
              "t3"."segment",
              "t3"."n_row",
              "t3"."ts_column",
              "t3"."ts_raw"
            FROM "t1" AS "t3"
            WHERE
              EXISTS(
                SELECT
                  1
                FROM (
                  SELECT
                    "t19"."tid"
                  FROM "t18" AS "t19"
                  WHERE
                    "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
                ) AS "t23"
                WHERE
                  "t3"."tid" = "t23"."tid"
              )
          ) AS "t26"
          INNER JOIN (
            SELECT
              "t19"."tid",
              "t19"."ws" AS "fix_start"
            FROM "t18" AS "t19"
            WHERE
              "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
          ) AS "t22"
            ON "t26"."tid" = "t22"."tid"
        ) AS "t27"
        WHERE
          "t27"."step" IN ('Closed') AND "t27"."ts" >= "t27"."fix_start"
      ) AS "t28"
      GROUP BY
        1
    ) AS "t30"
      ON "t6"."tid" = "t30"."tid"
    LEFT OUTER JOIN (
      SELECT
        "t41"."tid",
        MIN("t41"."ts") AS "fix"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t39"."tid",
            "t39"."step",
            "t39"."ts",
            "t39"."ts_missing",
            "t39"."bad_ts",
            "t39"."outcome",
            "t39"."agent",
            "t39"."segment",
            "t39"."n_row",
            "t39"."ts_column",
            "t39"."ts_raw",
            "t35"."fix_start"
          FROM (
            SELECT
              "t3"."tid",
              "t3"."step",
              "t3"."ts",
              "t3"."ts_missing",
              "t3"."bad_ts",
              "t3"."outcome",
              "t3"."agent",
              "t3"."segment",
              "t3"."n_row",
              "t3"."ts_column",
              "t3"."ts_raw"
            FROM "t1" AS "t3"
            WHERE
              EXISTS(
                SELECT
                  1
                FROM (
                  SELECT
                    "t32"."tid"
                  FROM "t31" AS "t32"
                  WHERE
                    "t32"."r_end_min" < "t32"."r" AND "t32"."r_end_max" >= "t32"."r"
                ) AS "t36"
                WHERE
                  "t3"."tid" = "t36"."tid"
              )
          ) AS "t39"
          INNER JOIN (
            SELECT
              "t32"."tid",
              "t32"."r" AS "fix_start"
            FROM "t31" AS "t32"
            WHERE
              "t32"."r_end_min" < "t32"."r" AND "t32"."r_end_max" >= "t32"."r"
          ) AS "t35"
            ON "t39"."tid" = "t35"."tid"
        ) AS "t40"
        WHERE
          "t40"."step" IN ('Evidence requested') AND "t40"."ts" >= "t40"."fix_start"
      ) AS "t41"
      GROUP BY
        1
    ) AS "t43"
      ON "t6"."tid" = "t43"."tid"
    LEFT OUTER JOIN (
      SELECT
        "t47"."tid",
        SUBSTRING(
          MAX(
            IFF(
              (
                "t47"."ts" IS NOT NULL
              ) AND (
                "t47"."step" IS NOT NULL
              ),
              CONCAT(
                CAST(DATE_PART('epoch_microsecond', "t47"."ts") + 100000000000000000 AS VARCHAR),
                "t47"."step"
              ),
              NULL
            )
          ),
          IFF(
            (
              18 + 1
            ) >= 1,
            18 + 1,
            18 + 1 + LENGTH(
              MAX(
                IFF(
                  (
                    "t47"."ts" IS NOT NULL
                  ) AND (
                    "t47"."step" IS NOT NULL
                  ),
                  CONCAT(
                    CAST(DATE_PART('epoch_microsecond', "t47"."ts") + 100000000000000000 AS VARCHAR),
                    "t47"."step"
                  ),
                  NULL
                )
              )
            )
          )
        ) AS "step_pick"
      FROM (
        SELECT
          "t3"."tid",
          "t3"."step",
          "t3"."ts",
          "t3"."ts_missing",
          "t3"."bad_ts",
          "t3"."outcome",
          "t3"."agent",
          "t3"."segment",
          "t3"."n_row",
          "t3"."ts_column",
          "t3"."ts_raw"
        FROM "t1" AS "t3"
        WHERE
          EXISTS(
            SELECT
              1
            FROM (
              SELECT
                "t44"."tid"
              FROM (
                SELECT
                  "t6"."tid",
                  "t6"."s",
                  "t6"."s_end_min",
                  "t6"."s_end_max",
                  "t6"."ws",
                  "t6"."ws_end_min",
                  "t6"."ws_end_max",
                  "t6"."r",
                  "t6"."r_end_min",
                  "t6"."r_end_max",
                  "t6"."outcome_pick",
                  "t6"."agent_pick",
                  "t6"."segment_pick",
                  "t6"."outcome_at",
                  "t6"."last_ts",
                  "t6"."first_ts",
                  "t6"."n_events",
                  "t6"."n_rows",
                  "t6"."n_ts",
                  "t6"."n_instants",
                  "t6"."blank_step",
                  "t6"."bad_ts",
                  "t6"."no_ts",
                  IFF("t6"."s_end_min" >= "t6"."s", "t6"."s_end_min", "t17"."fix") AS "s_end",
                  IFF("t6"."ws_end_min" >= "t6"."ws", "t6"."ws_end_min", "t30"."fix") AS "ws_end",
                  IFF("t6"."r_end_min" >= "t6"."r", "t6"."r_end_min", "t43"."fix") AS "r_end"
                FROM "t4" AS "t6"
                LEFT OUTER JOIN (
                  SELECT
                    "t15"."tid",
                    MIN("t15"."ts") AS "fix"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t13"."tid",
                        "t13"."step",
                        "t13"."ts",
                        "t13"."ts_missing",
                        "t13"."bad_ts",
                        "t13"."outcome",
                        "t13"."agent",
                        "t13"."segment",
                        "t13"."n_row",
                        "t13"."ts_column",
                        "t13"."ts_raw",
                        "t9"."fix_start"
                      FROM (
                        SELECT
                          "t3"."tid",
                          "t3"."step",
                          "t3"."ts",
                          "t3"."ts_missing",
                          "t3"."bad_ts",
                          "t3"."outcome",
                          "t3"."agent",
                          "t3"."segment",
                          "t3"."n_row",
                          "t3"."ts_column",
                          "t3"."ts_raw"
                        FROM "t1" AS "t3"
                        WHERE
                          EXISTS(
                            SELECT
                              1
                            FROM (
                              SELECT
                                "t5"."tid"
                              FROM "t4" AS "t5"
                              WHERE
                                "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
                            ) AS "t10"
                            WHERE
                              "t3"."tid" = "t10"."tid"
                          )
                      ) AS "t13"
                      INNER JOIN (
                        SELECT
                          "t5"."tid",
                          "t5"."s" AS "fix_start"
                        FROM "t4" AS "t5"
                        WHERE
                          "t5"."s_end_min" < "t5"."s" AND "t5"."s_end_max" >= "t5"."s"
                      ) AS "t9"
                        ON "t13"."tid" = "t9"."tid"
                    ) AS "t14"
                    WHERE
                      "t14"."step" IN ('Resolution proposed') AND "t14"."ts" >= "t14"."fix_start"
                  ) AS "t15"
                  GROUP BY
                    1
                ) AS "t17"
                  ON "t6"."tid" = "t17"."tid"
                LEFT OUTER JOIN (
                  SELECT
                    "t28"."tid",
                    MIN("t28"."ts") AS "fix"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t26"."tid",
                        "t26"."step",
                        "t26"."ts",
                        "t26"."ts_missing",
                        "t26"."bad_ts",
                        "t26"."outcome",
                        "t26"."agent",
                        "t26"."segment",
                        "t26"."n_row",
                        "t26"."ts_column",
                        "t26"."ts_raw",
                        "t22"."fix_start"
                      FROM (
                        SELECT
                          "t3"."tid",
                          "t3"."step",
                          "t3"."ts",
                          "t3"."ts_missing",
                          "t3"."bad_ts",
                          "t3"."outcome",
                          "t3"."agent",
                          "t3"."segment",
                          "t3"."n_row",
                          "t3"."ts_column",
                          "t3"."ts_raw"
                        FROM "t1" AS "t3"
                        WHERE
                          EXISTS(
                            SELECT
                              1
                            FROM (
                              SELECT
                                "t19"."tid"
                              FROM "t18" AS "t19"
                              WHERE
                                "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
                            ) AS "t23"
                            WHERE
                              "t3"."tid" = "t23"."tid"
                          )
                      ) AS "t26"
                      INNER JOIN (
                        SELECT
                          "t19"."tid",
                          "t19"."ws" AS "fix_start"
                        FROM "t18" AS "t19"
                        WHERE
                          "t19"."ws_end_min" < "t19"."ws" AND "t19"."ws_end_max" >= "t19"."ws"
                      ) AS "t22"
                        ON "t26"."tid" = "t22"."tid"
                    ) AS "t27"
                    WHERE
                      "t27"."step" IN ('Closed') AND "t27"."ts" >= "t27"."fix_start"
                  ) AS "t28"
                  GROUP BY
                    1
                ) AS "t30"
                  ON "t6"."tid" = "t30"."tid"
                LEFT OUTER JOIN (
                  SELECT
                    "t41"."tid",
                    MIN("t41"."ts") AS "fix"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t39"."tid",
                        "t39"."step",
                        "t39"."ts",
                        "t39"."ts_missing",
                        "t39"."bad_ts",
                        "t39"."outcome",
                        "t39"."agent",
                        "t39"."segment",
                        "t39"."n_row",
                        "t39"."ts_column",
                        "t39"."ts_raw",
                        "t35"."fix_start"
                      FROM (
                        SELECT
                          "t3"."tid",
                          "t3"."step",
                          "t3"."ts",
                          "t3"."ts_missing",
                          "t3"."bad_ts",
                          "t3"."outcome",
                          "t3"."agent",
                          "t3"."segment",
                          "t3"."n_row",
                          "t3"."ts_column",
                          "t3"."ts_raw"
                        FROM "t1" AS "t3"
                        WHERE
                          EXISTS(
                            SELECT
                              1
                            FROM (
                              SELECT
                                "t32"."tid"
                              FROM "t31" AS "t32"
                              WHERE
                                "t32"."r_end_min" < "t32"."r" AND "t32"."r_end_max" >= "t32"."r"
                            ) AS "t36"
                            WHERE
                              "t3"."tid" = "t36"."tid"
                          )
                      ) AS "t39"
                      INNER JOIN (
                        SELECT
                          "t32"."tid",
                          "t32"."r" AS "fix_start"
                        FROM "t31" AS "t32"
                        WHERE
                          "t32"."r_end_min" < "t32"."r" AND "t32"."r_end_max" >= "t32"."r"
                      ) AS "t35"
                        ON "t39"."tid" = "t35"."tid"
                    ) AS "t40"
                    WHERE
                      "t40"."step" IN ('Evidence requested') AND "t40"."ts" >= "t40"."fix_start"
                  ) AS "t41"
                  GROUP BY
                    1
                ) AS "t43"
                  ON "t6"."tid" = "t43"."tid"
              ) AS "t44"
              WHERE
                "t44"."s" IS NOT NULL
                AND NOT (
                  COALESCE("t44"."s_end_max" < "t44"."s", FALSE)
                )
                AND "t44"."s_end" IS NULL
            ) AS "t46"
            WHERE
              "t3"."tid" = "t46"."tid"
          )
      ) AS "t47"
      GROUP BY
        1
    ) AS "t49"
      ON "t6"."tid" = "t49"."tid"
  ) AS "t50"
) AS "t51"
ORDER BY
  "t51"."ticket_id" ASC
