// Page-side text and ARIA helpers shared by snapshot.js (see there for how both are loaded):
// role, accessible name, label and visible text approximations.

  const CAP = { text: 200, name: 120, attr: 80, neighbour: 60, context: 100, href: 200, cls: 60 };
  const NAME_FROM_CONTENT = new Set(['button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading',
    'link', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'radio', 'row', 'rowheader',
    'switch', 'tab', 'tooltip', 'treeitem']);
  const NO_ROLE_INPUTS = new Set(['password', 'hidden', 'file', 'color', 'date', 'datetime-local', 'month',
    'week', 'time']);
  const BUTTON_INPUTS = new Set(['button', 'submit', 'reset', 'image']);

  const clean = (s, cap) => {
    if (!s) return '';
    // Bound the work on huge containers before collapsing whitespace.
    if (s.length > cap * 5 + 200) s = s.slice(0, cap * 5 + 200);
    s = s.replace(/\s+/g, ' ').trim();
    return s.length > cap ? s.slice(0, cap).trimEnd() : s;
  };
  const attr = (el, name) => el.getAttribute(name) || '';
  const inputType = (el) => (el.localName === 'input' ? (attr(el, 'type') || 'text').toLowerCase() : '');

  function textByIds(el, name) {
    const ids = attr(el, name).trim();
    if (!ids) return '';
    const root = el.getRootNode();
    const parts = [];
    for (const id of ids.split(/\s+/)) {
      const t = root.getElementById ? root.getElementById(id) : null;
      if (t) parts.push(t.textContent);
    }
    return clean(parts.join(' '), CAP.name);
  }

  function textExcluding(root, exclude) {
    if (!root.contains(exclude)) return root.textContent;
    let out = '';
    const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!exclude.contains(n)) out += n.data + ' ';
    return out;
  }

  // Text nodes joined by spaces: a row's cells read "Apple Add", where textContent gives "AppleAdd".
  function spacedText(root, cap) {
    const parts = [];
    let length = 0;
    const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && length < cap * 2; n = walker.nextNode()) {
      const t = n.data.trim();
      if (t) { parts.push(t); length += t.length + 1; }
    }
    return clean(parts.join(' '), cap);
  }

  function implicitRole(el) {
    const t = el.localName;
    switch (t) {
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : '';
      case 'button': return 'button';
      case 'input': {
        const ty = inputType(el);
        if (BUTTON_INPUTS.has(ty)) return 'button';
        if (ty === 'checkbox' || ty === 'radio') return ty;
        if (ty === 'range') return 'slider';
        if (ty === 'number') return 'spinbutton';
        if (NO_ROLE_INPUTS.has(ty)) return '';
        if (el.hasAttribute('list')) return 'combobox';
        return ty === 'search' ? 'searchbox' : 'textbox';
      }
      case 'select': return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
      case 'textarea': return 'textbox';
      case 'img': return el.getAttribute('alt') === '' ? 'presentation' : 'img';
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'nav': return 'navigation';
      case 'main': return 'main';
      case 'aside': return 'complementary';
      case 'ul': case 'ol': case 'menu': return 'list';
      case 'li': return 'listitem';
      case 'table': return 'table';
      case 'tr': return 'row';
      case 'td': return 'cell';
      case 'th': return 'columnheader';
      case 'thead': case 'tbody': case 'tfoot': return 'rowgroup';
      case 'dialog': return 'dialog';
      case 'form': return 'form';
      case 'fieldset': case 'details': return 'group';
      case 'option': return 'option';
      case 'progress': return 'progressbar';
      case 'meter': return 'meter';
      case 'article': return 'article';
      case 'hr': return 'separator';
      case 'output': return 'status';
      case 'p': return 'paragraph';
      case 'section': return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : '';
      default: return '';
    }
  }

  function roleOf(el) {
    const explicit = attr(el, 'role').trim().split(/\s+/)[0].toLowerCase();
    return explicit || implicitRole(el);
  }

  function labelOf(el) {
    let s = '';
    if (el.labels && el.labels.length) s = clean(Array.from(el.labels, (l) => textExcluding(l, el)).join(' '), CAP.name);
    return s || textByIds(el, 'aria-labelledby');
  }

  function contentName(el) {
    const s = clean(el.textContent, CAP.name);
    if (s) return s;
    const img = el.querySelector('img[alt],[aria-label]');
    return img ? clean(img.getAttribute('alt') || img.getAttribute('aria-label'), CAP.name) : '';
  }

  // An approximation of the accessible name computation, in its precedence order.
  function accessibleName(el, role, label) {
    let n = textByIds(el, 'aria-labelledby') || clean(attr(el, 'aria-label'), CAP.name);
    if (n) return n;
    const t = el.localName, ty = inputType(el);
    if (ty === 'button' || ty === 'submit' || ty === 'reset') {
      return clean(el.value || (ty === 'submit' ? 'Submit' : ty === 'reset' ? 'Reset' : ''), CAP.name);
    }
    if (ty === 'image') return clean(attr(el, 'alt') || attr(el, 'title') || 'Submit', CAP.name);
    if (label) return label;
    if (t === 'img' || t === 'area') return clean(attr(el, 'alt') || attr(el, 'title'), CAP.name);
    if (t === 'input' || t === 'textarea' || t === 'select') {
      return clean(attr(el, 'title') || attr(el, 'placeholder'), CAP.name);
    }
    if (t === 'fieldset' || t === 'table' || t === 'figure') {
      const cap = el.querySelector(':scope > legend, :scope > caption, :scope > figcaption');
      if (cap) return clean(cap.textContent, CAP.name);
    }
    if (NAME_FROM_CONTENT.has(role) || t === 'summary') {
      n = contentName(el);
      if (n) return n;
    }
    return clean(attr(el, 'title'), CAP.name);
  }

  function visibleText(el) {
    const ty = inputType(el);
    if (ty) return ty === 'button' || ty === 'submit' || ty === 'reset' ? clean(el.value, CAP.text) : '';
    // Options and textarea contents are data, not labels of the control.
    if (el.localName === 'select' || el.localName === 'textarea') return '';
    return clean(el.textContent, CAP.text);
  }

  function isVisible(el, rect) {
    if (!rect.width && !rect.height) return false;
    if (el.checkVisibility) return el.checkVisibility({ visibilityProperty: true });
    return getComputedStyle(el).visibility !== 'hidden';
  }

  function isEnabled(el) {
    if (attr(el, 'aria-disabled') === 'true') return false;
    try { return !el.matches(':disabled'); } catch (e) { return true; }
  }
