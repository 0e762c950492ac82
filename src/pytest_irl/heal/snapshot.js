// Page-side half of the healer: describes elements as plain JSON for fingerprint.Fingerprint.
//
// snapshot_text.js and this file are the body of one function returning
// {fingerprint(el), snapshot(opts)}; __init__.py joins them (text helpers first) inside
// `(() => { ... })()` and wraps that into the two functions handed to Playwright's evaluate().
// Keys are camelCase (the Python model's aliases) and empty values are omitted so a
// 1,000-element snapshot stays small. Every derived value is a pure function of the element and
// the DOM, memoised per call in `ctx`, so fingerprint(el) and the snapshot's entry for el are
// identical.

  const NEIGHBOUR_RADIUS = 250; // px of gap; farther texts say nothing about this element
  // How far the neighbour search reaches: ancestor levels, siblings each side, texts per sibling.
  const NEIGHBOUR_LEVELS = 3, NEIGHBOUR_SIBLINGS = 4, UNITS_PER_SUBTREE = 6;
  const INTERACTIVE = 'a,button,input,select,textarea,[role],[onclick],[tabindex],label,summary,' +
    '[contenteditable]:not([contenteditable="false"])';
  // Text inside these belongs to them; listing the inner span too would duplicate the control.
  const COVERING = 'a,button,label,summary,select,textarea,option,[role=button],[role=link],' +
    '[role=menuitem],[role=tab],[role=option],[role=checkbox],[role=radio],[role=switch],[role=treeitem]';
  const SKIP = new Set(['html', 'head', 'body', 'script', 'style', 'noscript', 'template', 'meta', 'link',
    'title', 'base', 'br', 'wbr', 'iframe', 'frame', 'frameset', 'object', 'embed', 'slot']);
  const TEST_ID = /^data-(test|qa|cy|e2e|pw|automation|tid)/;
  const OWN_FIELDS = new Set(['id', 'class', 'name', 'type', 'role', 'placeholder', 'title', 'alt', 'href',
    'style', 'tabindex', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns',
    'aria-activedescendant', 'aria-expanded', 'aria-selected', 'aria-pressed', 'aria-checked',
    'aria-hidden', 'aria-busy', 'aria-invalid', 'aria-current', 'contenteditable']);
  const KEEP_ATTRS = new Set(['for', 'autocomplete', 'src', 'action', 'method', 'target', 'rel',
    'inputmode', 'accept', 'download', 'formaction', 'lang']);
  const CONTAINER_TAGS = new Set(['form', 'fieldset', 'dialog', 'section', 'article', 'tr', 'li', 'aside',
    'nav', 'header', 'footer', 'table', 'details']);
  const CONTAINER_ROLES = new Set(['dialog', 'alertdialog', 'form', 'region', 'group', 'row', 'listitem',
    'article', 'tabpanel', 'navigation', 'menu', 'toolbar', 'complementary', 'search']);
  const CONTAINER_CLASS = /(^|[\s_-])(card|modal|panel|dialog|tile)($|[\s_-])/i;
  const SAFE_ID = /^[A-Za-z_][\w-]*$/;

  const isShadowRoot = (n) => !!n && n.nodeType === 11 && !!n.host;
  const parentOrHost = (el) => (el.parentElement || (isShadowRoot(el.parentNode) ? el.parentNode.host : null));

  function newCtx() {
    return { ids: new Map(), sib: new Map(), css: new Map(), xp: new Map(), idxp: new Map(), unit: new Map(), units: new Map(),
      cont: new Map(), frames: new Map(), shadows: new Map(), offsets: new Map() };
  }

  function memo(map, key, make) {
    if (map.has(key)) return map.get(key);
    const v = make();
    map.set(key, v);
    return v;
  }

  // Playwright's CSS pierces open shadow roots, so an id is only a safe anchor when it is unique
  // across the document *and* its shadow trees.
  function idCount(el, id, ctx) {
    const doc = el.ownerDocument;
    const counts = memo(ctx.ids, doc, () => {
      const m = new Map();
      const visit = (root) => {
        for (const e of root.querySelectorAll('*')) {
          const v = e.getAttribute('id');
          if (v) m.set(v, (m.get(v) || 0) + 1);
          if (e.shadowRoot) visit(e.shadowRoot);
        }
      };
      visit(doc);
      return m;
    });
    return counts.get(id) || 0;
  }

  // Sibling facts for every child of a parent, computed once per parent.
  function siblings(el, ctx) {
    const parent = el.parentNode;
    return memo(ctx.sib, parent, () => {
      const kids = Array.from(parent.children);
      const index = new Map(), nth = new Map(), counts = new Map();
      kids.forEach((k, i) => {
        const n = (counts.get(k.localName) || 0) + 1;
        counts.set(k.localName, n);
        nth.set(k, n);
        index.set(k, i);
      });
      return { kids, index, nth, counts };
    });
  }

  function cssPath(el, ctx) {
    return memo(ctx.css, el, () => {
      const id = el.getAttribute('id');
      if (id && SAFE_ID.test(id) && idCount(el, id, ctx) === 1) return '#' + id;
      const s = siblings(el, ctx);
      let step = CSS.escape(el.localName);
      if (s.counts.get(el.localName) > 1) step += ':nth-of-type(' + s.nth.get(el) + ')';
      const parent = el.parentNode;
      if (!parent || parent.nodeType === 9) return step;
      return cssPath(isShadowRoot(parent) ? parent.host : parent, ctx) + ' > ' + step;
    });
  }

  function xpathStep(el, ctx) {
    const s = siblings(el, ctx);
    return el.localName + (s.counts.get(el.localName) > 1 ? '[' + s.nth.get(el) + ']' : '');
  }

  // Absolute within the element's own document or shadow root (XPath cannot cross either).
  function xpath(el, ctx) {
    return memo(ctx.xp, el, () => {
      const parent = el.parentNode;
      const step = '/' + xpathStep(el, ctx);
      return parent && parent.nodeType === 1 ? xpath(parent, ctx) + step : step;
    });
  }

  function idXpath(el, ctx) {
    return memo(ctx.idxp, el, () => {
      const id = el.getAttribute('id');
      if (id && !(id.includes('"') && id.includes("'"))) {
        const q = id.includes('"') ? "'" : '"';
        return '//*[@id=' + q + id + q + ']';
      }
      const parent = el.parentNode;
      const step = '/' + xpathStep(el, ctx);
      return parent && parent.nodeType === 1 ? idXpath(parent, ctx) + step : step;
    });
  }

  function frameOffset(doc, ctx) {
    return memo(ctx.offsets, doc, () => {
      let x = 0, y = 0, win = doc.defaultView;
      try {
        while (win && win.frameElement) {
          const fe = win.frameElement, r = fe.getBoundingClientRect();
          x += r.left + fe.clientLeft;
          y += r.top + fe.clientTop;
          win = win.parent;
        }
      } catch (e) { /* cross-origin parent: coordinates stay relative to the last reachable one */ }
      if (win) { x += win.scrollX; y += win.scrollY; }
      return { x, y };
    });
  }

  function framePath(doc, ctx) {
    return memo(ctx.frames, doc, () => {
      const out = [];
      try {
        let win = doc.defaultView;
        while (win && win.frameElement) {
          out.unshift(cssPath(win.frameElement, ctx));
          win = win.parent;
        }
      } catch (e) { /* cross-origin: the reachable part only */ }
      return out;
    });
  }

  function shadowPath(el, ctx) {
    const root = el.getRootNode();
    if (!isShadowRoot(root)) return [];
    return memo(ctx.shadows, root, () => [...shadowPath(root.host, ctx), cssPath(root.host, ctx)]);
  }

  // A "text unit" is an element that itself holds visible text (its own text nodes, alt or
  // button value): what a person reads around a control. Rects become plain numbers once, so
  // the geometry below is pure arithmetic.
  function unitOf(el, ctx) {
    return memo(ctx.unit, el, () => {
      if (SKIP.has(el.localName)) return null;
      let text = '';
      for (const n of el.childNodes) if (n.nodeType === 3) text += n.data;
      text = clean(text, CAP.neighbour);
      if (!text && el.localName === 'img') text = clean(attr(el, 'alt'), CAP.neighbour);
      if (!text && BUTTON_INPUTS.has(inputType(el))) text = clean(el.value, CAP.neighbour);
      if (!text) return null;
      const r = el.getBoundingClientRect();
      return r.width || r.height ? { text, l: r.left, t: r.top, r: r.right, b: r.bottom } : null;
    });
  }

  // The first few text units of a subtree in document order, memoised, so each element's list
  // is built once however many candidates look at it.
  function unitsIn(el, ctx) {
    return memo(ctx.units, el, () => {
      const out = [];
      const own = unitOf(el, ctx);
      if (own) out.push(own);
      for (let c = el.firstElementChild; c && out.length < UNITS_PER_SUBTREE; c = c.nextElementSibling) {
        for (const u of unitsIn(c, ctx)) {
          if (out.length >= UNITS_PER_SUBTREE) break;
          out.push(u);
        }
      }
      return out;
    });
  }

  function place(c, e, best) {
    let dir, gap, off;
    const hOverlap = Math.min(c.r, e.r) - Math.max(c.l, e.l);
    const vOverlap = Math.min(c.b, e.b) - Math.max(c.t, e.t);
    if (c.b <= e.t + 1) { dir = 'above'; gap = e.t - c.b; off = -hOverlap; }
    else if (c.t >= e.b - 1) { dir = 'below'; gap = c.t - e.b; off = -hOverlap; }
    else if (c.r <= e.l + 1) { dir = 'left'; gap = e.l - c.r; off = -vOverlap; }
    else if (c.l >= e.r - 1) { dir = 'right'; gap = c.l - e.r; off = -vOverlap; }
    else return;
    // Sideways displacement counts, so a text far off to the side is not "above".
    const d = Math.max(0, gap) + Math.max(0, off);
    if (d > NEIGHBOUR_RADIUS) return;
    if (!best[dir] || d < best[dir].d) best[dir] = { d, text: c.text };
  }

  // Nearest texts per direction, looking outward through siblings, then the parent's siblings,
  // then the grandparent's: local and bounded, never a scan of the whole page per element.
  function neighbours(el, rect, ctx) {
    const best = {};
    const e = { l: rect.left, t: rect.top, r: rect.right, b: rect.bottom };
    let cur = el;
    for (let level = 0; level < NEIGHBOUR_LEVELS; level++) {
      const parent = cur.parentNode;
      if (!parent || parent.nodeType === 9) break;
      const s = siblings(cur, ctx), i = s.index.get(cur);
      for (let d = 1; d <= NEIGHBOUR_SIBLINGS; d++) {
        if (i - d >= 0) for (const u of unitsIn(s.kids[i - d], ctx)) place(u, e, best);
        if (i + d < s.kids.length) for (const u of unitsIn(s.kids[i + d], ctx)) place(u, e, best);
      }
      if (best.above && best.below && best.left && best.right) break;
      const parentUnit = parent.nodeType === 1 ? unitOf(parent, ctx) : null;
      if (parentUnit) place(parentUnit, e, best);
      cur = isShadowRoot(parent) ? parent.host : parent;
      if (!cur || cur.nodeType !== 1 || cur.localName === 'body') break;
    }
    const out = {};
    for (const dir of ['above', 'below', 'left', 'right']) if (best[dir]) out[dir] = best[dir].text;
    return out;
  }

  function containerLabel(node) {
    let s = textByIds(node, 'aria-labelledby') || clean(attr(node, 'aria-label'), CAP.context);
    if (s) return clean(s, CAP.context);
    const h = node.querySelector(':scope > legend, :scope > caption, h1, h2, h3, h4, h5, h6, [role=heading]');
    if (h) s = clean(h.textContent, CAP.context);
    if (!s && (node.localName === 'tr' || node.localName === 'li' || /^(row|listitem)$/.test(attr(node, 'role')))) {
      s = spacedText(node, CAP.context);
    }
    return s;
  }

  function isContainer(node) {
    return CONTAINER_TAGS.has(node.localName) || CONTAINER_ROLES.has(attr(node, 'role')) ||
      CONTAINER_CLASS.test(attr(node, 'class'));
  }

  // Label of the nearest meaningful enclosing container (row, card, form, dialog, section).
  function contextOf(node, ctx) {
    return memo(ctx.cont, node, () => {
      const s = isContainer(node) ? containerLabel(node) : '';
      if (s) return s;
      const p = parentOrHost(node);
      return p ? contextOf(p, ctx) : '';
    });
  }

  // `light`: without the neighbouring texts, the costliest part (look-alikes are compared without
  // them, see heal/look_alikes.py).
  function fingerprint(el, ctx, light) {
    const out = {};
    const put = (k, v) => { if (v) out[k] = v; };
    const tag = el.localName, role = roleOf(el), ty = inputType(el);
    const rect = el.getBoundingClientRect();
    const labelable = !!el.labels;
    const label = labelable ? labelOf(el) : '';
    put('tag', tag);
    put('id', clean(attr(el, 'id'), CAP.attr));
    put('name', clean(attr(el, 'name'), CAP.attr));
    const classes = Array.from(el.classList || [], (c) => c.slice(0, CAP.cls)).slice(0, 12);
    if (classes.length) out.classes = classes;
    put('type', ty || clean(attr(el, 'type'), CAP.attr).toLowerCase());
    put('role', role);
    put('accessibleName', accessibleName(el, role, label));
    put('text', visibleText(el));
    put('label', label);
    put('placeholder', clean(attr(el, 'placeholder'), CAP.name));
    put('title', clean(attr(el, 'title'), CAP.name));
    put('alt', clean(attr(el, 'alt'), CAP.name));
    put('href', clean(attr(el, 'href'), CAP.href));
    const testIds = {}, attrs = {};
    let nAttrs = 0;
    for (const a of el.attributes) {
      const n = a.name;
      if (TEST_ID.test(n)) { testIds[n] = clean(a.value, CAP.attr); continue; }
      if (OWN_FIELDS.has(n) || n.startsWith('on') || nAttrs >= 10) continue;
      const keep = n.startsWith('aria-') || KEEP_ATTRS.has(n) ||
        (n === 'value' && (tag === 'button' || tag === 'option' || /^(checkbox|radio|submit|button|reset)$/.test(ty))) ||
        // data-v-1a2b3c4d style names are build hashes, and long/JSON values are state, not identity.
        (n.startsWith('data-') && !/-[0-9a-f]{6,}$/i.test(n) && a.value.length <= CAP.attr && !/^[{[]/.test(a.value));
      if (keep) { attrs[n] = clean(a.value, CAP.attr); nAttrs++; }
    }
    if (Object.keys(testIds).length) out.testIds = testIds;
    if (nAttrs) out.attrs = attrs;
    out.xpath = xpath(el, ctx);
    // Most elements have no id-bearing ancestor; the Python model fills idXpath from xpath then.
    const ix = idXpath(el, ctx);
    if (ix !== out.xpath) out.idXpath = ix;
    out.cssPath = cssPath(el, ctx);
    const off = frameOffset(el.ownerDocument, ctx);
    out.box = { x: Math.round(rect.left + off.x), y: Math.round(rect.top + off.y),
      width: Math.round(rect.width), height: Math.round(rect.height) };
    if (role === 'button' || tag === 'button' || BUTTON_INPUTS.has(ty)) out.isButton = true;
    if (role === 'link') out.isLink = true;
    if ((tag === 'input' && !BUTTON_INPUTS.has(ty)) || tag === 'select' || tag === 'textarea' || el.isContentEditable) {
      out.isInput = true;
    }
    const visible = isVisible(el, rect);
    const near = visible && !light ? neighbours(el, rect, ctx) : {};
    if (Object.keys(near).length) out.neighbours = near;
    const p = parentOrHost(el);
    put('context', p ? contextOf(p, ctx) : '');
    const frames = framePath(el.ownerDocument, ctx);
    if (frames.length) out.framePath = frames;
    const shadows = shadowPath(el, ctx);
    if (shadows.length) out.shadowPath = shadows;
    if (!visible) out.visible = false;
    if (!isEnabled(el)) out.enabled = false;
    return out;
  }

  function hasOwnText(el) {
    for (const n of el.childNodes) if (n.nodeType === 3 && n.data.trim()) return true;
    return false;
  }

  function isCandidate(el) {
    if (SKIP.has(el.localName)) return false;
    if (el.matches(INTERACTIVE)) return true;
    if (!hasOwnText(el)) return el.localName === 'img' && !!attr(el, 'alt');
    const parent = parentOrHost(el);
    return !parent || !parent.closest(COVERING);
  }

  function snapshot(opts) {
    opts = opts || {};
    const includeHidden = !!opts.includeHidden;
    const max = opts.maxElements || 5000;
    const ctx = newCtx();
    const out = [];
    walk((el) => {
      if (out.length >= max) return false;
      if (isCandidate(el) && (includeHidden || isVisible(el, el.getBoundingClientRect()))) {
        out.push(fingerprint(el, ctx));
      }
      return true;
    });
    return out;
  }

  // Every element in document order, open shadow roots and same-origin frames included, until
  // `visit` returns false.
  function walk(visit) {
    const visitRoot = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (!visit(el)) return false;
        if (el.shadowRoot && !visitRoot(el.shadowRoot)) return false;
        if (el.localName === 'iframe' || el.localName === 'frame') {
          let doc = null;
          try { doc = el.contentDocument; } catch (e) { /* cross-origin */ }
          if (doc && doc.documentElement && !visitRoot(doc)) return false;
        }
      }
      return true;
    };
    visitRoot(document);
  }

  // heal/identity.py family(): links and buttons are one family, form fields another.
  function familyOf(el) {
    const tag = el.localName, role = roleOf(el), ty = inputType(el);
    if ((tag === 'input' && !BUTTON_INPUTS.has(ty)) || tag === 'select' || tag === 'textarea' || el.isContentEditable) {
      return 'input';
    }
    if (role === 'button' || role === 'link' || tag === 'button' || tag === 'a' || BUTTON_INPUTS.has(ty)) {
      return 'clickable';
    }
    return role || tag;
  }

  // The visible candidates of el's family nearest to it in document order, `each` on each side,
  // in the snapshot's walk: heal/look_alikes.py keeps the few most like el. Only the family test
  // runs on every element; just the pool is fingerprinted.
  // Beyond them, up to LOOK_ALIKE_TWINS_FAR elements of the family with el's very name further
  // away (the same link in the header and the footer, a comment repeated down the page): the
  // look-alikes a heal most needs to tell el from. heal/look_alikes.py pool_from_snapshot is the
  // same pool taken from a snapshot.
  function lookAlikePool(el, ctx, each) {
    const want = familyOf(el);
    const name = nameOf(el);
    const before = [], after = [], far = [];
    const twin = (e) => name && far.length < LOOK_ALIKE_TWINS_FAR && nameOf(e) === name;
    let seen = false;
    walk((e) => {
      if (after.length >= each && !name) return false;
      if (e === el) { seen = true; return true; }
      if (!isCandidate(e) || familyOf(e) !== want) return true;
      if (seen && after.length >= each) {
        if (twin(e) && isVisible(e, e.getBoundingClientRect())) far.push(e);
        return true;
      }
      if (!isVisible(e, e.getBoundingClientRect())) return true;
      if (!seen) {
        before.push(e);
        if (before.length > each) { const out = before.shift(); if (twin(out)) far.push(out); }
      } else after.push(e);
      return true;
    });
    return [...before, ...after, ...far].map((e) => fingerprint(e, ctx, true));
  }

  // What pool_from_snapshot compares twins on: the visible text, else the accessible name.
  function nameOf(el) {
    const role = roleOf(el);
    const text = visibleText(el) || accessibleName(el, role, el.labels ? labelOf(el) : '');
    return text.replace(/\s+/g, ' ').trim().toLowerCase();
  }

  // Which DOM node a learned fingerprint was taken from: a token kept with the node for as long
  // as its window lives (on the window, so that every instance of this library sees it), and
  // unique to that window. A drift check then knows when a locator still reaches the very node
  // it acted on, whatever changed around it.
  function nodeToken(el, assign) {
    const win = el.ownerDocument && el.ownerDocument.defaultView;
    if (!win) return '';
    let nodes = win.__irlNodes;
    if (!nodes) {
      if (!assign) return '';
      nodes = { prefix: Math.random().toString(36).slice(2, 10), next: 0, tokens: new WeakMap() };
      Object.defineProperty(win, '__irlNodes', { value: nodes });
    }
    let token = nodes.tokens.get(el);
    if (!token && assign) {
      token = nodes.prefix + ':' + (++nodes.next);
      nodes.tokens.set(el, token);
    }
    return token || '';
  }

  return {
    fingerprint: (el) => {
      const out = fingerprint(el, newCtx());
      const node = nodeToken(el, false);
      if (node) out.node = node;
      return out;
    },
    // What a successful action teaches: the element, and the pool its look-alikes come from.
    learn: (el) => {
      const ctx = newCtx();
      const out = fingerprint(el, ctx);
      out.node = nodeToken(el, true);
      const pool = lookAlikePool(el, ctx, LOOK_ALIKE_POOL_EACH_SIDE);
      out.lookAlikes = pool;
      return out;
    },
    snapshot,
  };
