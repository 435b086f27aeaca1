-- Items created by the API and the results the worker computes for their jobs.
CREATE TABLE IF NOT EXISTS items (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    job_id      TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per job: the worker inserts with ON CONFLICT (job_id) DO NOTHING, so a re-delivered job never
-- writes twice (at-least-once delivery, effectively-once results).
CREATE TABLE IF NOT EXISTS results (
    job_id        TEXT PRIMARY KEY,
    item_id       BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    result        JSONB NOT NULL,
    worker_id     TEXT NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS results_item_id_idx ON results (item_id);
