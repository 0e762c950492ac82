// Page side of list healing: describe the set of elements a locator matched, and list every
// group of same-shaped elements under a common ancestor as a candidate set (see heal/sets.py).
// An expression whose value has `learn(elements)` and `candidates(opts)`.
(() => {
  'use strict';
  const TEST_ID_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'];
  const LIST_TAGS = new Set(['ul', 'ol', 'tbody', 'table', 'thead', 'dl', 'select', 'menu']);
  const LIST_ROLES = new Set(['list', 'listbox', 'grid', 'table', 'tablist', 'menu', 'tree', 'rowgroup', 'feed']);
  const IMPLICIT = { li: 'listitem', tr: 'row', td: 'cell', th: 'columnheader', button: 'button',
    option: 'option', article: 'article', ul: 'list', ol: 'list', table: 'table', nav: 'navigation' };
  const MAX_ITEMS = 3000;
  const MAX_GROUPS = 300;

  const collapse = (s, cap) => (s || '').replace(/\s+/g, ' ').trim().slice(0, cap);
  const tagOf = (el) => el.tagName.toLowerCase();
  const classesOf = (el) => Array.from(el.classList || []);
  const testIdsOf = (el) => TEST_ID_ATTRS.map((a) => el.getAttribute(a)).filter((v) => v);
  const roleOf = (el) => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit.split(/\s+/)[0];
    const tag = tagOf(el);
    if (tag === 'a' && el.hasAttribute('href')) return 'link';
    if (tag === 'input') return (el.type === 'checkbox' || el.type === 'radio') ? el.type : 'textbox';
    if (/^h[1-6]$/.test(tag)) return 'heading';
    return IMPLICIT[tag] || '';
  };
  const textOf = (el) => {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return collapse(el.value, 100);
    return collapse(el.innerText !== undefined ? el.innerText : el.textContent, 100);
  };
  const esc = (v) => (window.CSS && CSS.escape ? CSS.escape(v) : v.replace(/[^\w-]/g, '\\$&'));
  const unique = (sel) => { try { return document.querySelectorAll(sel).length === 1; } catch (e) { return false; } };

  function cssFor(el) {
    if (el === document.body) return 'body';
    if (el === document.documentElement) return 'html';
    const tag = tagOf(el);
    if (el.id && !/\d{3,}/.test(el.id) && unique('#' + esc(el.id))) return '#' + esc(el.id);
    for (const attr of TEST_ID_ATTRS) {
      const v = el.getAttribute(attr);
      if (v && unique(`[${attr}="${v.replace(/"/g, '\\"')}"]`)) return `[${attr}="${v.replace(/"/g, '\\"')}"]`;
    }
    const classes = classesOf(el).filter((c) => !/\d{3,}/.test(c));
    if (classes.length) {
      const sel = tag + classes.map((c) => '.' + esc(c)).join('');
      if (unique(sel)) return sel;
    }
    const parent = el.parentElement;
    if (!parent) return tag;
    const same = Array.from(parent.children).filter((c) => tagOf(c) === tag);
    const step = same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(el) + 1})` : tag;
    return cssFor(parent) + ' > ' + step;
  }

  function headingBefore(el) {
    const label = el.getAttribute('aria-labelledby');
    if (label) {
      const target = document.getElementById(label.split(/\s+/)[0]);
      if (target) return collapse(target.textContent, 80);
    }
    const headings = Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6,[role=heading],legend,caption'));
    let found = '';
    for (const h of headings) {
      if (el.contains(h) && h !== el) { return collapse(h.textContent, 80); }
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = collapse(h.textContent, 80);
    }
    return found;
  }

  function pathBetween(container, el) {
    const tags = [];
    let node = el;
    while (node && node !== container) { tags.unshift(tagOf(node)); node = node.parentElement; }
    return node === container ? tags : null;
  }

  function tokens(el) {
    const out = [];
    if (el.id) out.push('id:' + el.id);
    for (const c of classesOf(el)) out.push('class:' + c);
    for (const v of testIdsOf(el)) out.push('testid:' + v);
    return out;
  }

  function describe(container, items, path) {
    const first = items[0];
    const common = classesOf(first).filter((c) => items.every((i) => i.classList.contains(c)));
    const shape = [];
    for (const d of first.querySelectorAll('*')) { if (shape.length < 40) shape.push(tagOf(d)); }
    shape.sort();
    const carries = new Set(tokens(container));
    for (const item of items.slice(0, 50)) {
      for (const t of tokens(item)) carries.add(t);
      let node = item.parentElement;
      while (node && node !== container) { for (const t of tokens(node)) carries.add(t); node = node.parentElement; }
    }
    const containerCss = cssFor(container);
    const n = (sel) => { try { return document.querySelectorAll(sel).length; } catch (e) { return -1; } };
    // The items' own common classes make the selector read like one a person writes, when they
    // still select exactly these items.
    const plain = containerCss + ' > ' + path.join(' > ');
    const own = common.filter((c) => !/\d{3,}/.test(c)).map((c) => '.' + esc(c)).join('');
    const named = plain + own;
    // Deeper than one level, a person writes the container and the items' own class, not the
    // path between them: taken when it selects exactly these items.
    const exactly = (sel) => {
      try {
        const found = Array.from(document.querySelectorAll(sel));
        return found.length === items.length && items.every((i) => found.includes(i));
      } catch (e) { return false; }
    };
    const short = path.length > 1 && own ? containerCss + ' ' + own : '';
    const selector = short && exactly(short) ? short : n(named) === items.length ? named : plain;
    return {
      count: items.length,
      itemTag: tagOf(first),
      itemRole: roleOf(first),
      itemClasses: common,
      itemTestIds: testIdsOf(first).filter((v) => items.every((i) => testIdsOf(i).includes(v))),
      itemTexts: items.slice(0, 30).map(textOf),
      itemShape: shape,
      depth: path.length,
      containerTag: tagOf(container),
      containerId: container.id || '',
      containerClasses: classesOf(container),
      containerRole: roleOf(container),
      containerLabel: collapse(container.getAttribute('aria-label') || '', 80),
      containerTestIds: testIdsOf(container),
      heading: headingBefore(container),
      containerCss,
      selector: n(selector) === items.length ? selector : '',
      carries: Array.from(carries),
    };
  }

  function commonAncestor(items) {
    let anc = items[0].parentElement;
    while (anc && !items.every((i) => anc.contains(i))) anc = anc.parentElement;
    if (items.length > 1 || !anc) return anc;
    // One item: climb to the list it belongs to (a list tag or role, or an element with an id).
    let node = anc;
    for (let i = 0; i < 4 && node && node !== document.body; i++) {
      if (LIST_TAGS.has(tagOf(node)) || LIST_ROLES.has(node.getAttribute('role') || '') || node.id ||
          testIdsOf(node).length) return node;
      node = node.parentElement;
    }
    return anc;
  }

  function learn(elements) {
    const items = elements.filter((e) => e && e.isConnected);
    if (!items.length) return null;
    const container = commonAncestor(items);
    if (!container) return null;
    const path = pathBetween(container, items[0]);
    return path ? describe(container, items, path) : null;
  }

  function candidates(opts) {
    const depth = Math.max(1, opts.depth || 1);
    const all = Array.from(document.querySelectorAll(opts.itemTag || '*')).slice(0, MAX_ITEMS);
    const position = new Map(all.map((el, i) => [el, i]));
    const groups = new Map();
    for (const el of all) {
      let anc = el.parentElement;
      const path = [tagOf(el)];
      for (let k = 1; k <= depth + 1 && anc; k++) {
        if (k >= depth - 1) {
          const key = path.join('>');
          let byPath = groups.get(anc);
          if (!byPath) { byPath = new Map(); groups.set(anc, byPath); }
          if (!byPath.has(key)) byPath.set(key, { container: anc, path: path.slice(), items: [] });
          byPath.get(key).items.push(el);
        }
        if (anc === document.body) break;
        path.unshift(tagOf(anc));
        anc = anc.parentElement;
      }
    }
    // The same items under several ancestors: keep the grouping nearest the learned depth.
    const best = new Map();
    for (const byPath of groups.values()) {
      for (const g of byPath.values()) {
        const id = g.items.length + ':' + position.get(g.items[0]) + ':' + position.get(g.items[g.items.length - 1]);
        const prev = best.get(id);
        if (!prev || Math.abs(g.path.length - depth) < Math.abs(prev.path.length - depth)) best.set(id, g);
      }
    }
    const out = [];
    for (const g of best.values()) {
      if (out.length >= MAX_GROUPS) break;
      const d = describe(g.container, g.items, g.path);
      if (d.selector) out.push(d);
    }
    const onPage = [];
    for (const token of opts.tokens || []) {
      const at = token.indexOf(':');
      const kind = token.slice(0, at), value = token.slice(at + 1);
      let sel = '';
      if (kind === 'id') sel = '#' + esc(value);
      else if (kind === 'class') sel = '.' + esc(value);
      else sel = TEST_ID_ATTRS.map((a) => `[${a}="${value.replace(/"/g, '\\"')}"]`).join(',');
      try { if (document.querySelector(sel)) onPage.push(token); } catch (e) { /* not a valid name */ }
    }
    // Is the learned list's container still here as it was? Then the list is empty or filtered.
    let containerThere = false;
    const learned = opts.container || {};
    if (learned.css) {
      let el = null;
      try { el = document.querySelector(learned.css); } catch (e) { el = null; }
      containerThere = !!el && tagOf(el) === learned.tag && (el.id || '') === (learned.id || '') &&
        classesOf(el).slice().sort().join(' ') === (learned.classes || []).slice().sort().join(' ');
    }
    return JSON.stringify({ candidates: out, onPage, containerThere });
  }

  return { learn, candidates };
})()
