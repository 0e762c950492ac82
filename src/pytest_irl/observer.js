// The page observer's body: see observer.py. Placeholders in CAPITALS are filled there.
  // A window may get a new document yet keep its globals, this script's included (a popup opened
  // with window.open() and no URL does): then only that document needs watching.
  if (window.__irlObserving) { window.__irlObserving(document); return; }
  const fingerprintOf = FINGERPRINT_FN;
  const report = (payload) => {
    const fn = window.__irlReport;
    if (typeof fn !== 'function') return;
    try { const p = fn(payload); if (p && p.catch) p.catch(() => {}); } catch (e) { /* page closing */ }
  };

  // Settling: pending short timers, requests in flight, time of the last DOM change.
  const pending = new Set();
  let inFlight = 0;
  let lastChange = performance.now();
  const nativeSetTimeout = window.setTimeout, nativeClearTimeout = window.clearTimeout;
  window.setTimeout = function (fn, delay, ...args) {
    const ms = Number(delay) || 0;
    if (typeof fn !== 'function' || ms > SHORT_TIMER_MS) return nativeSetTimeout.call(this, fn, delay, ...args);
    const id = nativeSetTimeout.call(this, function () { pending.delete(id); return fn.apply(this, arguments); },
      delay, ...args);
    pending.add(id);
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return nativeClearTimeout.call(this, id); };
  if (window.fetch) {
    const nativeFetch = window.fetch;
    window.fetch = function () {
      inFlight++;
      let done = false;
      const settle = () => { if (!done) { done = true; inFlight--; } };
      try {
        const p = nativeFetch.apply(this, arguments);
        p.then(settle, settle);
        return p;
      } catch (e) { settle(); throw e; }
    };
  }
  if (window.XMLHttpRequest) {
    const nativeSend = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () {
      inFlight++;
      this.addEventListener('loadend', () => { inFlight--; }, { once: true });
      return nativeSend.apply(this, arguments);
    };
  }
  Object.defineProperty(window, '__irlSettled', { value: () => {
    watch(document);
    const quietMs = performance.now() - lastChange;
    const ready = document.readyState === 'complete';
    return { settled: ready && pending.size === 0 && inFlight <= 0 && quietMs >= QUIET_MS,
             ready, timers: pending.size, inFlight, quietMs: Math.round(quietMs) };
  } });

  // Trusted events: the element the test reached, and whether typed input went into a secret.
  const INTERACTIVE = 'a,button,input,select,textarea,label,summary,option,[role],[onclick],[tabindex],[contenteditable]';
  // One fingerprint per element per document: repeated actions on it would teach nothing new.
  const known = new WeakSet();
  const reached = (event) => {
    if (!event.isTrusted) return;
    const first = event.composedPath ? event.composedPath()[0] : event.target;
    if (!first || first.nodeType !== 1) return;
    const el = (first.closest && first.closest(INTERACTIVE)) || first;
    if (known.has(el)) return;
    known.add(el);
    try { report({ kind: 'element', fingerprint: fingerprintOf(el) }); } catch (e) { /* never break the page */ }
  };
  const secret = (el) => el.tagName === 'INPUT' && (String(el.type).toLowerCase() === 'password'
    || /password|one-time-code|cc-number|cc-csc/i.test(el.getAttribute('autocomplete') || ''));
  const shape = (v) => v.length + ':' + v.slice(0, 16) + ':' + v.slice(-16);
  const typed = (event) => {
    const el = event.composedPath ? event.composedPath()[0] : event.target;
    if (!el || el.nodeType !== 1) return;
    const value = 'value' in el ? String(el.value) : el.isContentEditable ? (el.textContent || '') : null;
    if (value !== null) report({ kind: 'typed', secret: secret(el), shape: shape(value) });
  };
  // Adding a listener that is still there is a no-op, so listening again is always safe.
  const listen = () => {
    for (const type of ['pointerdown', 'mousedown', 'keydown', 'input']) {
      addEventListener(type, reached, { capture: true, passive: true });
    }
    addEventListener('input', typed, { capture: true, passive: true });
    addEventListener('change', typed, { capture: true, passive: true });
  };

  // document.open() (page.set_content, a popup written with document.write) keeps the document
  // but erases the window's event listeners: a new root element is the sign to listen again.
  // Watching a document twice is a no-op but for listening again: callers need not know.
  const watched = new WeakSet();
  const watch = (doc) => {
    listen();
    if (watched.has(doc)) return;
    watched.add(doc);
    lastChange = performance.now();  // what changed before it was watched is unknown
    let root = doc.documentElement;
    new MutationObserver(() => {
      lastChange = performance.now();
      if (doc.documentElement !== root) { root = doc.documentElement; listen(); }
    }).observe(doc, { subtree: true, childList: true, attributes: true, characterData: true });
  };
  Object.defineProperty(window, '__irlObserving', { value: watch });
  watch(document);
