-- One row per community log, and its leaves. `size` counts the durable
-- leaves; a writer appends only if `size` is still what it read (a
-- compare-and-swap), so two service processes never both sequence a log.
CREATE TABLE jifen_logs (
    name TEXT PRIMARY KEY,
    size BIGINT NOT NULL CHECK (size >= 0),
    checkpoint BYTEA,
    checkpoint_size BIGINT NOT NULL DEFAULT 0 CHECK (checkpoint_size <= size),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE jifen_leaves (
    log TEXT NOT NULL REFERENCES jifen_logs (name),
    idx BIGINT NOT NULL CHECK (idx >= 0),
    leaf BYTEA NOT NULL,
    PRIMARY KEY (log, idx)
);
