"use strict";
// Builds the report from the JSON embedded in the page (render.py). Every recorded string goes
// into the page as text (textContent), never as markup. A test's runs and steps are built only
// when the test is opened, so a long session opens at once.
(function () {
  const data = JSON.parse(document.getElementById("irl-data").textContent);
  const FILTERS = ["failed", "healed", "flaky", "refused"];
  const active = new Set();
  let query = "";

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    }
    return node;
  }
  function code(text) { return el("code", null, text); }
  function ms(value) {
    if (value === undefined || value === null) return "";
    return value >= 1000 ? (value / 1000).toFixed(2) + " s" : Math.round(value) + " ms";
  }
  function score(value) { return value === undefined || value === null ? "-" : Number(value).toFixed(2); }
  function badge(text, kind) { return el("span", "badge " + kind, text); }
  // Served by `irl serve`, the page's URL carries its token, and the server's own links (a
  // trace's download) need it; a report opened from disk has none and links files.
  const token = new URLSearchParams(location.search).get("token");
  function traceLink(run) {
    const link = el("a", null, run.trace);
    const href = run.traceHref || "";
    // Only what render.py makes: a file: URL, a quoted relative path, or the server's route.
    if (/^(file:\/\/\/|\.\/|\/run\/)/.test(href)) {
      link.href = href.startsWith("/") && token ? href + "?token=" + encodeURIComponent(token) : href;
    }
    return link;
  }

  // -- tests ------------------------------------------------------------------------------------
  const tests = [];  // {test, node, haystack}
  function haystack(test) {
    // What the search box looks in: the test's id, its errors, and the locators of its heals.
    if (test._hay === undefined) {
      const parts = [test.id];
      for (const run of test.runs || []) {
        if (run.error) parts.push(run.error);
        for (const step of run.steps || []) {
          if (step.err) parts.push(step.err);
          for (const heal of step.heals || []) parts.push(heal.from || "", heal.to || "", heal.fromSel || "", heal.toSel || "");
        }
      }
      test._hay = parts.join("\n").toLowerCase();
    }
    return test._hay;
  }
  function visible(test) {
    const flags = test.flags || [];
    if (active.size && !flags.some((f) => active.has(f))) return false;
    return !query || haystack(test).includes(query);
  }
  function applyFilters() {
    let shown = 0;
    for (const entry of tests) {
      const show = visible(entry.test);
      entry.node.hidden = !show;
      if (show) shown += 1;
    }
    for (const section of document.querySelectorAll("section.session")) {
      section.hidden = !section.querySelector("details.test:not([hidden])");
    }
    document.getElementById("shown").textContent = shown + " of " + tests.length + " tests shown";
  }

  function shotFigure(shot, caption) {
    const figure = el("figure", "shot");
    if (shot.omitted) {
      figure.append(el("figcaption", null, caption + ": not embedded (over the report's screenshot limit)"));
      return figure;
    }
    const frame = el("div", "frame");
    const img = document.createElement("img");
    img.src = shot.src;  // a data: URI (the CSP allows no other image source)
    img.width = shot.w; img.height = shot.h;
    img.alt = caption;
    frame.append(img);
    if (shot.box) {
      const box = el("div", "box");
      box.style.left = (100 * shot.box.x / shot.w) + "%";
      box.style.top = (100 * shot.box.y / shot.h) + "%";
      box.style.width = (100 * shot.box.width / shot.w) + "%";
      box.style.height = (100 * shot.box.height / shot.h) + "%";
      frame.append(box);
    }
    figure.append(frame, el("figcaption", null, caption));
    return figure;
  }

  const HEAL_TITLES = { healed: "Healed", refused: "Heal refused", suggested: "Heal suggested (not applied)",
    drift: "Drift warning" };
  function healCard(heal, step) {
    const card = el("div", "heal " + heal.kind);
    const head = [HEAL_TITLES[heal.kind] || heal.kind];
    if (heal.strategy) head.push("strategy " + heal.strategy);
    if (heal.conf !== undefined) head.push("confidence " + score(heal.conf));
    card.append(el("h4", null, head.join(" · ")));
    const dl = el("dl");
    dl.append(el("dt", null, "test wrote"), el("dd", null, el("del", null, code(heal.from || heal.fromSel || ""))));
    if (heal.to) dl.append(el("dt", null, heal.kind === "healed" ? "used instead" : "would use"),
      el("dd", null, el("ins", null, code(heal.to))));
    if (heal.toSel && heal.toSel !== heal.to) dl.append(el("dt", null, "Playwright selector"), el("dd", null, code(heal.toSel)));
    card.append(dl);
    if (heal.note) card.append(el("p", "note", heal.note));
    if (heal.changes && heal.changes.length) {
      const table = el("table", "changes", el("tr", null, el("th", null, "what changed"), el("th", null, "learned"), el("th", null, "used")));
      for (const c of heal.changes) {
        table.append(el("tr", null, el("td", null, c.field), el("td", null, c.before ? code(c.before) : "(none)"),
          el("td", null, c.after ? code(c.after) : "(none)")));
      }
      card.append(table);
    }
    if (heal.cands && heal.cands.length) {
      const table = el("table", "cands", el("tr", null, el("th", null, "candidate"), el("th", null, "score")));
      for (const c of heal.cands) table.append(el("tr", null, el("td", null, code(c.py)), el("td", null, score(c.score))));
      card.append(el("div", "note", "top candidates"), table);
    }
    if (heal.kind === "healed" && step.shot) card.append(shotFigure(step.shot, "the page at the heal, the element used outlined"));
    return card;
  }

  function stepRows(step, tbody) {
    const heals = step.heals || [];
    const healed = heals.some((h) => h.kind === "healed");
    const refused = heals.some((h) => h.kind === "refused");
    let result = step.fail ? "FAIL" : "ok";
    if (healed) result += " · healed";
    if (refused) result += " · refused";
    const target = step.py ? code(step.py) : "";
    const value = step.v !== undefined ? el("span", "note", " = " + step.v) : null;
    const tr = el("tr", step.fail ? "fail" : healed ? "healed" : refused ? "refused" : null,
      el("td", null, step.n), el("td", null, step.a), el("td", "code", target, value),
      el("td", null, result), el("td", "dur", ms(step.ms)), el("td", "note", step.loc || ""));
    tbody.append(tr);
    if (heals.length || step.err) {
      const cell = el("td");
      cell.colSpan = 6;
      for (const heal of heals) cell.append(healCard(heal, step));
      if (step.err) cell.append(el("pre", null, step.err));
      tbody.append(el("tr", "detail", cell));
    }
  }

  function runBlock(run, many) {
    const block = el("div", "run");
    const head = [(many ? "attempt " + run.attempt + " · " : "") + run.status];
    if (run.flaky) head.push("flaky: passed on a rerun");
    if (run.ms !== undefined) head.push(ms(run.ms));
    if (run.started) head.push(run.started);
    head.push("run " + run.id);
    block.append(el("h3", null, head.join(" · ")));
    if (run.trace) {
      block.append(el("p", "trace", "Playwright trace: ", traceLink(run), " · open it with ", code(run.traceCmd || ""),
        " or ", code("irl show " + run.id.slice(0, 8) + " --trace")));
    }
    if (run.error) block.append(el("pre", null, run.error));
    if (run.shot) block.append(shotFigure(run.shot, "the page when the test failed"));
    const steps = run.steps || [];
    if (!steps.length) { block.append(el("div", "empty", "no steps recorded")); return block; }
    const table = el("table", "steps", el("thead", null, el("tr", null, el("th", null, "#"), el("th", null, "action"),
      el("th", null, "locator"), el("th", null, "result"), el("th", null, "time"), el("th", null, "where"))));
    const tbody = el("tbody");
    for (const step of steps) stepRows(step, tbody);
    table.append(tbody);
    block.append(table);
    return block;
  }

  function testNode(test) {
    const details = el("details", "test");
    details.dataset.flags = (test.flags || []).join(" ");
    const summary = el("summary", null, badge(test.status, "s-" + test.status), el("span", "nodeid", test.id));
    if (test.healed) summary.append(badge("healed " + test.healed, "b-healed"));
    if (test.refused) summary.append(badge("refused " + test.refused, "b-refused"));
    if ((test.flags || []).includes("flaky")) summary.append(badge("flaky", "b-flaky"));
    if (test.runs.length > 1) summary.append(el("span", "dur", test.runs.length + " attempts"));
    summary.append(el("span", "dur", ms(test.ms)));
    details.append(summary);
    details.addEventListener("toggle", () => {
      if (!details.open || details.querySelector(".test-body")) return;
      const body = el("div", "test-body");
      for (const run of test.runs) body.append(runBlock(run, test.runs.length > 1));
      details.append(body);
    });
    return details;
  }

  // -- page -------------------------------------------------------------------------------------
  const counts = { failed: 0, healed: 0, flaky: 0, refused: 0 };
  const main = document.getElementById("sessions");
  for (const session of data.sessions) {
    const section = el("section", "session", el("h2", null, "session " + session.id));
    const info = [session.started || "", session.status || ""];
    if (session.exit !== undefined) info.push("exit " + session.exit);
    if (session.host) info.push(session.host);
    if (session.args && session.args.length) info.push("pytest " + session.args.join(" "));
    const per = { passed: 0, failed: 0, healed: 0, flaky: 0, refused: 0 };
    const list = el("div", "tests");
    for (const test of session.tests || []) {
      const node = testNode(test);
      tests.push({ test, node });
      list.append(node);
      if (test.status === "passed") per.passed += 1;
      for (const flag of test.flags || []) { per[flag] += 1; counts[flag] += 1; }
    }
    info.push((session.tests || []).length + " tests: " + per.passed + " passed, " + per.failed + " failed, " +
      per.healed + " healed, " + per.flaky + " flaky, " + per.refused + " with a refused heal");
    section.append(el("div", "session-meta", info.join(" · ")));
    if (!(session.tests || []).length) list.append(el("div", "empty", "no recorded tests"));
    section.append(list);
    main.append(section);
  }
  if (!data.sessions.length) main.append(el("div", "empty", "no recorded sessions"));

  const controls = document.getElementById("controls");
  for (const name of FILTERS) {
    const button = el("button", null, name + " (" + counts[name] + ")");
    button.type = "button";
    button.dataset.filter = name;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      if (active.has(name)) active.delete(name); else active.add(name);
      button.setAttribute("aria-pressed", String(active.has(name)));
      applyFilters();
    });
    controls.append(button);
  }
  const search = document.createElement("input");
  search.type = "search";
  search.id = "search";
  search.placeholder = "search tests, errors, locators";
  search.setAttribute("aria-label", "search");
  search.addEventListener("input", () => { query = search.value.trim().toLowerCase(); applyFilters(); });
  const shown = el("span");
  shown.id = "shown";
  controls.append(search, shown);

  const meta = ["generated " + (data.generated || "")];
  if (data.shotsLeftOut) meta.push(data.shotsLeftOut + " screenshot(s) over the report's limit not embedded");
  document.getElementById("meta").textContent = meta.join(" · ");
  applyFilters();
})();
