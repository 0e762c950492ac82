-- A person's verdict on a heal (`irl review`, `irl serve`). A heal is what `irl healed` and
-- `irl fix` group by: the call site where the broken locator is used, the locator as written,
-- and the locator the heal suggests instead; heal_id is a hash of the three (reviews.heal_id).
-- A rejected heal is refused by the engine from the next session on; an accepted one is no longer
-- counted as an unreviewed heal, its element becomes what is learned for the original locator,
-- and `irl fix --accepted` rewrites only accepted heals. Locators come from the recorded steps,
-- which are redacted before they are stored: nothing secret is copied here.
CREATE TABLE IF NOT EXISTS heal_reviews (
  heal_id          TEXT PRIMARY KEY,
  location         TEXT NOT NULL DEFAULT '',   -- file:line of the call site ('' when unknown)
  original         TEXT NOT NULL,              -- the locator as the test wrote it
  suggested        TEXT NOT NULL,              -- the healed locator, as Python where one was made
  healed_selector  TEXT,                       -- the same as a Playwright selector
  verdict          TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
  reviewed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  reviewed_via     TEXT NOT NULL DEFAULT 'cli' -- 'cli' or 'serve'
);
