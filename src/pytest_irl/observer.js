// The page observer's body: see observer.py. Placeholders in CAPITALS are filled there.
  if (window.__irlObserving) return;
  Object.defineProperty(window, '__irlObserving', { value: true });
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
  new MutationObserver(() => { lastChange = performance.now(); })
    .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  Object.defineProperty(window, '__irlSettled', { value: () => {
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
  for (const type of ['pointerdown', 'mousedown', 'keydown', 'input']) {
    addEventListener(type, reached, { capture: true, passive: true });
  }
  const secret = (el) => el.tagName === 'INPUT' && (String(el.type).toLowerCase() === 'password'
    || /password|one-time-code|cc-number|cc-csc/i.test(el.getAttribute('autocomplete') || ''));
  const shape = (v) => v.length + ':' + v.slice(0, 16) + ':' + v.slice(-16);
  const typed = (event) => {
    const el = event.composedPath ? event.composedPath()[0] : event.target;
    if (!el || el.nodeType !== 1) return;
    const value = 'value' in el ? String(el.value) : el.isContentEditable ? (el.textContent || '') : null;
    if (value !== null) report({ kind: 'typed', secret: secret(el), shape: shape(value) });
  };
  addEventListener('input', typed, { capture: true, passive: true });
  addEventListener('change', typed, { capture: true, passive: true });
