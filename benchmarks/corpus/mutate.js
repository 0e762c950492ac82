// Page-side half of the corpus builder: picks targets, applies realistic DOM changes to a loaded
// page, and keeps a reference to the target through them (window.__corpusTarget), so the ground
// truth survives tag changes (the reference follows the new node) and removals (it becomes null).
// Evaluated once per page as an expression; it installs window.__corpus.
(() => {
  const C = {};
  const STYLE_ID = '__corpus_renamed_rules';
  const INTERACTIVE = 'a[href], button, input, select, textarea, [role=button], [role=link], ' +
    '[role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=switch]';
  const TEST_ID_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'];

  // mulberry32: small, seedable, identical on every run (Math.random is not).
  function rng(seed) {
    let a = seed >>> 0;
    const next = () => {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    next.int = (n) => Math.floor(next() * n);
    next.pick = (xs) => xs[next.int(xs.length)];
    next.hash = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[next.int(36)]).join('');
    return next;
  }

  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0.05 &&
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };

  function fullXpath(el) {
    const steps = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const same = Array.from(n.parentElement ? n.parentElement.children : [n]).filter((k) => k.localName === n.localName);
      steps.unshift(n.localName + (same.length > 1 ? '[' + (same.indexOf(n) + 1) + ']' : ''));
    }
    return '/' + steps.join('/');
  }
  const byXpath = (xp) => document.evaluate(xp, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;

  function implicitRole(el) {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit.split(/\s+/)[0];
    const tag = el.localName, ty = (el.getAttribute('type') || 'text').toLowerCase();
    if (tag === 'a') return el.hasAttribute('href') ? 'link' : '';
    if (tag === 'button') return 'button';
    if (tag === 'textarea') return 'textbox';
    if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag !== 'input') return '';
    if (['submit', 'button', 'reset', 'image'].includes(ty)) return 'button';
    if (ty === 'checkbox' || ty === 'radio') return ty;
    if (['text', 'email', 'tel', 'url', 'search', ''].includes(ty)) return el.hasAttribute('list') ? 'combobox' : (ty === 'search' ? 'searchbox' : 'textbox');
    if (ty === 'number') return 'spinbutton';
    return '';
  }

  function labelText(el) {
    if (el.labels && el.labels.length) return norm(el.labels[0].innerText);
    const by = el.getAttribute('aria-labelledby');
    if (by) return norm(by.split(/\s+/).map((id) => (document.getElementById(id) || {}).innerText || '').join(' '));
    return '';
  }

  function facts(el, i) {
    const tag = el.localName;
    const ty = tag === 'input' ? (el.getAttribute('type') || 'text').toLowerCase() : '';
    let kind = 'other';
    if (tag === 'a' || el.getAttribute('role') === 'link') kind = 'link';
    else if (tag === 'button' || ['submit', 'button', 'reset'].includes(ty) || el.getAttribute('role') === 'button') kind = 'button';
    else if (ty === 'checkbox' || ty === 'radio') kind = 'check';
    else if (tag === 'select') kind = 'select';
    else if (tag === 'textarea') kind = 'textarea';
    else if (tag === 'input') kind = 'input';
    const testIds = {};
    for (const a of TEST_ID_ATTRS) if (el.hasAttribute(a)) testIds[a] = el.getAttribute(a);
    return {
      i, tag, type: ty, kind, id: el.id || '', classes: Array.from(el.classList),
      text: norm(el.innerText || (ty && ['submit', 'button', 'reset'].includes(ty) ? el.value : '')).slice(0, 200),
      ariaLabel: norm(el.getAttribute('aria-label')), title: norm(el.getAttribute('title')),
      label: labelText(el), placeholder: norm(el.getAttribute('placeholder')), testIds,
      role: implicitRole(el), xpath: fullXpath(el),
    };
  }

  // Test ids: pages in the wild carry them on a share of their controls, these demo pages rarely
  // do, so a slug of the control's text is added to about a third of the controls whose text is
  // unique. Chosen by a hash of the slug, not by position, so that the same control gets the same
  // test id in every version of a page.
  const slugHash = (s) => { let h = 7; for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0; return h; };
  function addTestIds() {
    const seen = new Map();
    const els = Array.from(document.body.querySelectorAll('button, a[href], input[type=submit], input[type=button]')).filter((el) => norm(el.innerText || el.value));
    els.forEach((el) => {
      const slug = norm(el.innerText || el.value).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30);
      if (slug) seen.set(slug, (seen.get(slug) || 0) + 1);
    });
    let n = 0;
    els.forEach((el) => {
      const slug = norm(el.innerText || el.value).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30);
      if (slug && slugHash(slug) % 3 === 0 && seen.get(slug) === 1 && !TEST_ID_ATTRS.some((a) => el.hasAttribute(a))) {
        el.setAttribute('data-testid', slug);
        n++;
      }
    });
    return n;
  }

  C.prepare = () => {
    const added = addTestIds();
    C.v1body = document.body.cloneNode(true);
    return { added };
  };

  C.restore = () => {
    const style = document.getElementById(STYLE_ID);
    if (style) style.remove();
    document.body.replaceWith(C.v1body.cloneNode(true));
    window.scrollTo(0, 0);
    window.__corpusTarget = null;
  };

  C.targets = () => {
    const out = [];
    document.body.querySelectorAll(INTERACTIVE).forEach((el) => {
      if (el.closest('[aria-hidden=true], template, svg') || !visible(el)) return;
      const ty = (el.getAttribute('type') || '').toLowerCase();
      if (el.localName === 'input' && ['hidden', 'file', 'color', 'range', 'image'].includes(ty)) return;
      out.push(facts(el, out.length));
    });
    return out;
  };

  C.track = (xpath) => { window.__corpusTarget = byXpath(xpath); return !!window.__corpusTarget; };

  C.indexIn = (paths) => {
    const t = window.__corpusTarget;
    if (!t) return -1;
    for (let k = 0; k < paths.length; k++) {
      if (paths[k] && document.querySelector(paths[k]) === t) return k;
    }
    return -1;
  };

  // ---- helpers for mutations ------------------------------------------------------------
  const ctx = { r: rng(1), words: null };
  const target = () => window.__corpusTarget;
  const ancestorAt = (el, d) => { let n = el; for (let k = 0; k < d && n.parentElement && n.parentElement !== document.body; k++) n = n.parentElement; return n; };
  const isBlock = (el) => !/^inline/.test(getComputedStyle(el).display);
  const stripIds = (root) => {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      el.removeAttribute('id');
      for (const a of TEST_ID_ATTRS) el.removeAttribute(a);
    }
    return root;
  };

  // The text node that carries most of an element's visible text (icons and badges stay put).
  function mainTextNode(el) {
    let best = null;
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (norm(n.data) && (!best || norm(n.data).length > norm(best.data).length)) best = n;
    }
    return best;
  }

  function reword(text, mode) {
    const w = ctx.words, key = norm(text).toLowerCase().replace(/[.:!?…]+$/, '');
    const table = mode === 'paraphrase' ? w.paraphrases : w.synonyms;
    if (table[key]) return matchCase(ctx.r.pick(table[key]), text);
    // Word by word: swap the words the dictionary knows, keep the rest.
    const parts = norm(text).split(' ');
    let changed = false;
    const out = parts.map((p) => {
      const lw = p.toLowerCase().replace(/[^a-z']/g, '');
      const alts = w.words[lw];
      if (alts && (!changed || ctx.r() < 0.5)) { changed = true; return matchCase(ctx.r.pick(alts), p); }
      return p;
    });
    if (changed) return out.join(' ');
    return ctx.r.pick(w.frames).replace('{}', norm(text));
  }
  const matchCase = (alt, like) => (/^[A-Z]/.test(like) ? alt[0].toUpperCase() + alt.slice(1) : alt);

  function setText(el, mode) {
    const ty = (el.getAttribute('type') || '').toLowerCase();
    if (el.localName === 'input' && ['submit', 'button', 'reset'].includes(ty)) {
      el.value = reword(el.value, mode); el.setAttribute('value', el.value); return true;
    }
    const node = mainTextNode(el);
    if (node) {
      const lead = node.data.match(/^\s*/)[0], tail = node.data.match(/\s*$/)[0];
      node.data = lead + reword(node.data, mode) + tail;
      if (el.hasAttribute('aria-label')) el.setAttribute('aria-label', reword(el.getAttribute('aria-label'), mode));
      return true;
    }
    for (const a of ['aria-label', 'title', 'value']) {
      if (el.getAttribute(a)) { el.setAttribute(a, reword(el.getAttribute(a), mode)); return true; }
    }
    return false;
  }

  // Renamed classes keep their look: every stylesheet rule naming the old class is copied under
  // the new name, as the real rename (stylesheet and markup together) would.
  function copyRules(renames) {
    let style = document.getElementById(STYLE_ID);
    if (!style) { style = document.createElement('style'); style.id = STYLE_ID; document.head.appendChild(style); }
    const pats = Object.entries(renames).map(([o, n]) => [new RegExp('\\.' + o.replace(/[^\w-]/g, '\\$&') + '(?![\\w-])', 'g'), '.' + n]);
    const out = [];
    const visit = (rules, wrap) => {
      for (const rule of rules) {
        if (rule.selectorText !== undefined) {
          let sel = rule.selectorText, hit = false;
          for (const [re, to] of pats) { if (re.test(sel)) { hit = true; sel = sel.replace(re, to); } re.lastIndex = 0; }
          if (hit) out.push(wrap(sel + '{' + rule.style.cssText + '}'));
        } else if (rule.cssRules && rule.media) {
          visit(rule.cssRules, (s) => wrap('@media ' + rule.media.mediaText + '{' + s + '}'));
        }
      }
    };
    for (const sheet of document.styleSheets) {
      if (sheet.ownerNode === style) continue;
      let rules = null;
      try { rules = sheet.cssRules; } catch (e) { continue; }
      visit(rules, (s) => s);
    }
    style.textContent += out.join('\n');
  }

  function renameClasses(el, fn) {
    const renames = {};
    for (const c of Array.from(el.classList)) { const n = fn(c); if (n && n !== c) renames[c] = n; }
    if (!Object.keys(renames).length) return false;
    for (const [o, n] of Object.entries(renames)) {
      for (const other of Array.from(document.getElementsByClassName(o))) other.classList.replace(o, n);
    }
    copyRules(renames);
    return true;
  }

  function replaceTag(el, tag) {
    const n = document.createElement(tag);
    for (const a of el.attributes) if (!['type', 'href', 'value'].includes(a.name)) n.setAttribute(a.name, a.value);
    while (el.firstChild) n.appendChild(el.firstChild);
    el.replaceWith(n);
    window.__corpusTarget = n;
    return n;
  }

  const M = {};
  M['id-regenerated'] = (t) => {
    if (!t.id) return false;
    const old = t.id, r = ctx.r;
    const style = r.int(3);
    const id = style === 0 ? old + '-' + r.hash(5) : style === 1 ? '_' + r.hash(6) : ':r' + r.hash(2) + ':';
    t.id = id;
    // Frameworks that regenerate ids regenerate the references too.
    document.querySelectorAll('label[for="' + CSS.escape(old) + '"]').forEach((l) => l.setAttribute('for', id));
    for (const a of ['aria-labelledby', 'aria-describedby', 'aria-controls']) {
      document.querySelectorAll('[' + a + '~="' + CSS.escape(old) + '"]').forEach((e) => e.setAttribute(a, e.getAttribute(a).split(/\s+/).map((x) => (x === old ? id : x)).join(' ')));
    }
    return true;
  };
  M['class-hashed'] = (t) => {
    const first = t.classList[0] || '';
    const block = first.split(/[-_]/)[0] || 'x';
    const comp = block[0] ? block[0].toUpperCase() + block.slice(1) : 'X';
    return renameClasses(t, (c) => comp + '_' + c.replace(/-/g, '_') + '__' + ctx.r.hash(5));
  };
  M['class-renamed'] = (t) => {
    const prefix = ctx.r.pick(['c-', 'ds-', 'ui-', 'app-']);
    return renameClasses(t, (c) => {
      const parts = c.split('-');
      if (parts.length === 1) return prefix + c;
      const [block, ...rest] = parts;
      return ctx.r() < 0.5 ? prefix + block + '--' + rest.join('-') : prefix + block + '__' + rest.join('-');
    });
  };
  M['text-synonym'] = (t) => setText(t, 'synonym');
  M['text-paraphrase'] = (t) => setText(t, 'paraphrase');
  M['label-changed'] = (t) => {
    if (t.labels && t.labels.length) {
      const node = mainTextNode(t.labels[0]);
      if (node) { node.data = reword(node.data, ctx.r() < 0.5 ? 'synonym' : 'paraphrase'); return true; }
    }
    if (t.getAttribute('aria-label')) { t.setAttribute('aria-label', reword(t.getAttribute('aria-label'), 'synonym')); return true; }
    return false;
  };
  M['placeholder-changed'] = (t) => {
    const p = t.getAttribute('placeholder');
    if (!p) return false;
    t.setAttribute('placeholder', reword(p, ctx.r() < 0.5 ? 'synonym' : 'paraphrase'));
    return true;
  };
  M['tag-changed'] = (t) => {
    const ty = (t.getAttribute('type') || '').toLowerCase();
    if (t.localName === 'button' && !t.querySelector('*') && ctx.r() < 0.4) {
      const text = norm(t.textContent), n = document.createElement('input');
      for (const a of t.attributes) n.setAttribute(a.name, a.value);
      n.setAttribute('type', 'submit'); n.setAttribute('value', text);
      t.replaceWith(n); window.__corpusTarget = n; return true;
    }
    if (t.localName === 'button') { replaceTag(t, 'a').setAttribute('href', '#'); return true; }
    if (t.localName === 'a') { replaceTag(t, 'button').setAttribute('type', 'button'); return true; }
    if (t.localName === 'input' && ['submit', 'button'].includes(ty)) {
      const n = replaceTag(t, 'button'); n.setAttribute('type', ty); n.textContent = t.value; return true;
    }
    return false;
  };
  M['wrapper-added'] = (t) => {
    const n = ancestorAt(t, ctx.r.int(3));
    if (!n.parentElement || ['tr', 'td', 'th', 'li', 'tbody', 'option'].includes(n.localName)) return false;
    const w = document.createElement(isBlock(n) ? 'div' : 'span');
    if (ctx.r() < 0.5) w.className = ctx.r.pick(['wrapper', 'field', 'css-' + ctx.r.hash(6), 'd-flex', 'stack']);
    n.replaceWith(w); w.appendChild(n);
    return true;
  };
  M['wrapper-removed'] = (t) => {
    for (let d = 1 + ctx.r.int(2); d <= 4; d++) {
      const a = ancestorAt(t, d);
      if (a === t || a.parentElement === null || a === document.body) return false;
      if (['div', 'span', 'section', 'p'].includes(a.localName) && !a.id) { a.replaceWith(...a.childNodes); return true; }
    }
    return false;
  };
  M['sibling-inserted'] = (t) => {
    const n = ancestorAt(t, ctx.r.int(3));
    let fresh;
    if (n === t) {
      fresh = stripIds(t.cloneNode(true));
      const node = mainTextNode(fresh);
      if (node) node.data = ' ' + ctx.r.pick(ctx.words.extra) + ' ';
      else if (fresh.localName === 'input') { fresh.removeAttribute('name'); fresh.setAttribute('placeholder', ctx.r.pick(ctx.words.extra)); }
      fresh.removeAttribute('aria-label');
    } else {
      fresh = document.createElement(n.localName === 'tr' ? 'tr' : n.localName);
      if (n.localName === 'tr') fresh.innerHTML = '<td>' + ctx.r.pick(ctx.words.notices) + '</td>';
      else fresh.textContent = ctx.r.pick(ctx.words.notices);
    }
    n.before(fresh);
    return true;
  };
  M['sibling-reordered'] = (t) => {
    const n = ancestorAt(t, ctx.r.int(2)), p = n.parentElement;
    const kids = Array.from(p.children);
    if (kids.length < 2) return false;
    const at = kids.indexOf(n);
    if (at === 0) p.appendChild(n); else p.insertBefore(n, kids[ctx.r.int(at)]);
    return true;
  };
  M['sibling-removed'] = (t) => {
    for (let d = 0; d < 3; d++) {
      const n = ancestorAt(t, d);
      const before = Array.from(n.parentElement.children).filter((k) => k !== n && !k.contains(t) && k.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (before.length) { const same = before.filter((k) => k.localName === n.localName); ctx.r.pick(same.length ? same : before).remove(); return true; }
    }
    return false;
  };
  M['row-inserted'] = (t) => {
    const row = t.closest('tr, li, [class*="col-"], .card, .list-group-item');
    if (!row || !row.parentElement || row === document.body) return false;
    const cell = t.closest('td, th');
    if (cell && row.localName === 'tr' && ctx.r() < 0.4) {
      // A new column before the target's: every row gains a cell at that index.
      const at = cell.cellIndex, table = row.closest('table');
      for (const tr of table.rows) {
        const ref = tr.cells[at], c = document.createElement(ref ? ref.localName : 'td');
        c.textContent = tr.parentElement.localName === 'thead' ? ctx.r.pick(ctx.words.columns) : String(1 + ctx.r.int(99));
        if (ref) ref.before(c); else tr.appendChild(c);
      }
      return true;
    }
    // A new record: the controls of a row keep their words ("Edit", "Delete"), its data does not
    // (an exact copy of the row would be indistinguishable from it, which real rows never are).
    const copy = stripIds(row.cloneNode(true));
    const walk = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.data.trim()) continue;
      const inControl = n.parentElement && n.parentElement.closest('a, button, label, select, option, [role=button]');
      if (inControl) n.data = n.data.replace(/\d/g, () => String(ctx.r.int(10)));
      else n.data = ' ' + ctx.r.pick(ctx.words.columns) + ' ' + (1 + ctx.r.int(999)) + ' ';
    }
    // A row that is nothing but its control (a nav item's link) would come out as an exact copy:
    // no new record looks like that, so this change does not apply here.
    if (norm(copy.textContent) === norm(row.textContent)) return false;
    row.before(copy);
    return true;
  };
  M['testid-renamed'] = (t) => {
    const a = TEST_ID_ATTRS.find((x) => t.hasAttribute(x));
    if (!a) return false;
    const v = t.getAttribute(a);
    if (ctx.r() < 0.5) { t.removeAttribute(a); t.setAttribute(ctx.r.pick(TEST_ID_ATTRS.filter((x) => x !== a)), v); }
    else t.setAttribute(a, ctx.r.pick([v + '-btn', 'btn-' + v, v.replace(/-/g, '_'), v.split('-')[0] + '-action']));
    return true;
  };
  M['target-removed'] = (t) => { t.remove(); window.__corpusTarget = null; return true; };
  // A feature swapped for a neighbouring one in the same place ("Forgot password?" becomes
  // "Forgot username?"): one content word of its name changes, its id gets another suffix. The
  // new control was never on the page, so no learned look-alike can claim it: must not heal.
  M['target-replaced'] = (t) => {
    const fresh = t.cloneNode(true);
    const node = mainTextNode(fresh);
    const swap = (text) => {
      const words = norm(text).split(' ');
      const at = words.reduce((best, w, i) => (w.length > words[best].length ? i : best), 0);
      words[at] = ctx.r.pick(ctx.words.extra).toLowerCase();
      return words.join(' ');
    };
    if (node) node.data = ' ' + swap(node.data) + ' ';
    else if (fresh.getAttribute('placeholder')) fresh.setAttribute('placeholder', swap(fresh.getAttribute('placeholder')));
    else return false;
    if (fresh.getAttribute('aria-label')) fresh.setAttribute('aria-label', swap(fresh.getAttribute('aria-label')));
    if (fresh.id) fresh.id = fresh.id + '-' + ctx.r.pick(ctx.words.extra).toLowerCase();
    for (const a of ['name', 'data-testid']) if (fresh.getAttribute(a)) fresh.setAttribute(a, fresh.getAttribute(a) + '-alt');
    t.replaceWith(fresh);
    window.__corpusTarget = null;
    return true;
  };
  M['decoy-added'] = (t) => {
    const decoy = stripIds(t.cloneNode(true));
    const hosts = Array.from(document.body.querySelectorAll('div, section, form, footer, nav, ul, p')).filter((h) => !h.contains(t) && !t.contains(h) && visible(h));
    if (!hosts.length) return false;
    const host = ctx.r.pick(hosts);
    if (host.localName === 'ul') { const li = document.createElement('li'); li.appendChild(decoy); host.prepend(li); }
    else host.prepend(decoy);
    return true;
  };

  C.names = () => Object.keys(M);
  C.setWords = (words) => { ctx.words = words; };
  // Applies the named mutations in order with one seed; returns the ones that changed the page.
  C.mutate = (names, seed) => {
    ctx.r = rng(seed);
    const applied = [];
    for (const name of names) {
      const t = target();
      if (!t) break;
      if (M[name](t)) applied.push(name);
    }
    return applied;
  };

  // A CSS path that selects exactly ``el``: its own or an ancestor's unique id, then nth-of-type
  // steps. Structural on purpose: a marker attribute would leak into the exported fingerprints.
  function uniquePath(el) {
    const steps = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      if (n.id && document.querySelectorAll('#' + CSS.escape(n.id)).length === 1) {
        steps.unshift('#' + CSS.escape(n.id));
        break;
      }
      const same = n.parentElement ? Array.from(n.parentElement.children).filter((k) => k.localName === n.localName) : [n];
      steps.unshift(same.length > 1 ? n.localName + ':nth-of-type(' + (same.indexOf(n) + 1) + ')' : n.localName);
    }
    return steps.join(' > ');
  }

  // The page as a self-contained file for the heal bench, which serves it over http: scripts go
  // (they would rebuild what they already built), stylesheets are inlined from their parsed rules.
  C.exportHtml = () => {
    document.querySelectorAll('script, link[rel~=preload], link[rel~=modulepreload]').forEach((s) => s.remove());
    for (const link of Array.from(document.querySelectorAll('link[rel~=stylesheet]'))) {
      let text = '';
      try { text = Array.from(link.sheet ? link.sheet.cssRules : [], (r) => r.cssText).join('\n'); } catch (e) { /* unreadable */ }
      const style = document.createElement('style');
      style.textContent = text;
      if (link.media) style.media = link.media;
      link.replaceWith(style);
    }
    // Links keep their target as a fragment: a click on a wrong link must not navigate away from
    // the bench's page (it then could not tell which element was reached).
    for (const a of document.querySelectorAll('a[href]')) {
      const href = a.getAttribute('href');
      if (!href.startsWith('#') && !/^javascript:/i.test(href)) a.setAttribute('href', '#' + href);
    }
    const t = window.__corpusTarget;
    return { html: '<!DOCTYPE html>\n' + document.documentElement.outerHTML,
      path: t ? uniquePath(t) : null, tag: t ? t.localName : null, text: t ? norm(t.textContent) : null };
  };

  window.__corpus = C;
  return C.names();
})()
