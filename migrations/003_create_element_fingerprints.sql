-- What each locator's element looked like the last time an action on it succeeded: the
-- reference the healer compares candidates with once the locator stops matching.
CREATE TABLE IF NOT EXISTS element_fingerprints (
  key          TEXT PRIMARY KEY,          -- md5 of selector, url_path and nodeid
  selector     TEXT NOT NULL,
  url_path     TEXT NOT NULL,
  nodeid       TEXT NOT NULL,
  fingerprint  JSONB NOT NULL,
  seen         INTEGER NOT NULL DEFAULT 1,
  first_seen   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS element_fingerprints_selector_idx ON element_fingerprints (md5(selector), url_path);
