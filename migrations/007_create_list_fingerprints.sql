-- What each list locator's set of elements looked like the last time it matched (container,
-- item shape, texts): the reference the list healer compares candidate sets with once the
-- locator stops matching.
CREATE TABLE IF NOT EXISTS list_fingerprints (
  key          TEXT PRIMARY KEY,          -- md5 of selector, url_path and nodeid
  selector     TEXT NOT NULL,
  url_path     TEXT NOT NULL,
  nodeid       TEXT NOT NULL,
  fingerprint  JSONB NOT NULL,
  seen         INTEGER NOT NULL DEFAULT 1,
  first_seen   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen    TIMESTAMPTZ NOT NULL DEFAULT now()
);
