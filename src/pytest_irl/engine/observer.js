// The page observer's body: see observer.py. Placeholders in CAPITALS are filled there.
  // A window may get a new document yet keep its globals, this script's included (a popup opened
  // with window.open() and no URL does): then only that document needs watching.
  if (window.__irlObserving) { window.__irlObserving(document); return; }
  // The layer's page-side libraries, built on first use, and asked by name (observer.py `ASK_JS`)
  // so that a question does not carry a library's source (tens of kB, parsed each time).
  const lazily = (build) => { let lib = null; return () => lib || (lib = build()); };
  const fingerprintLibrary = lazily(() => FINGERPRINT_LIBRARY);
  Object.defineProperty(window, '__irlLibraries', { value: {
    fingerprint: fingerprintLibrary, lists: lazily(() => LISTS_LIBRARY) } });
  const fingerprintOf = (el) => fingerprintLibrary().learn(el);
  // Each report is a binding call through the test process (several protocol messages, all
  // handled by the test's own thread), so what can wait does: a field's "no secret" confirmation
  // is queued and goes with the next report, BATCH_MS later, when the document is hidden
  // (navigation, closing), or when the layer takes the queue (__irlTakeReports, at a test's end).
  // A fill-heavy test would otherwise pay a binding call per fill. What is queued and lost only
  // masks a value that could have been shown.
  const queued = [];
  let flushTimer = null;
  const send = (payloads) => {
    const fn = window.__irlReport;
    if (typeof fn !== 'function') return false;
    try {
      const p = fn(payloads.length === 1 ? payloads[0] : payloads);
      if (p && p.catch) p.catch(() => {});
    } catch (e) { return false; /* page closing */ }
    return true;
  };
  const takeQueued = () => {
    if (flushTimer !== null) { nativeClearTimeout.call(window, flushTimer); flushTimer = null; }
    return queued.splice(0);
  };
  const flush = () => { const batch = takeQueued(); if (batch.length) send(batch); };
  const report = (payload) => send([...takeQueued(), payload]);
  const reportLater = (payload) => {
    queued.push(payload);
    if (flushTimer === null) flushTimer = nativeSetTimeout.call(window, flush, BATCH_MS);
    return true;
  };
  Object.defineProperty(window, '__irlTakeReports', { value: takeQueued });

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
  // Secret fields: password, one-time-code and card fields. A field that was one once stays one
  // (a "show password" toggle must not make what is typed next public), and so does the host of
  // a shadow root that holds one (its own `value` is the secret).
  const SECRET_AUTOCOMPLETE = /password|one-time-code|cc-number|cc-csc|cc-exp/i;
  const wasSecret = new WeakSet();
  const secretNow = (el) => el.tagName === 'INPUT' && (String(el.type).toLowerCase() === 'password'
    || SECRET_AUTOCOMPLETE.test(el.getAttribute('autocomplete') || ''));
  const markSecret = (el) => {
    for (let node = el; node && !wasSecret.has(node); ) {
      wasSecret.add(node);
      const root = node.getRootNode ? node.getRootNode() : null;
      node = root && root !== node && root.host ? root.host : null;
    }
  };
  const secret = (el) => {
    if (secretNow(el)) markSecret(el);
    return wasSecret.has(el);
  };
  const shape = (v) => v.length + ':' + v.slice(0, 16) + ':' + v.slice(-16);
  // A field's key, so that the layer tells one field's successive values (each key typed) from
  // another field's: unique across documents and frames.
  const docKey = Math.random().toString(36).slice(2, 10);
  const fieldKeys = new WeakMap();
  let fieldCount = 0;
  const fieldKey = (el) => {
    let key = fieldKeys.get(el);
    if (!key) { key = docKey + ':' + (++fieldCount); fieldKeys.set(el, key); }
    return key;
  };
  const valueOf = (el) => 'value' in el ? String(el.value) : el.isContentEditable ? (el.textContent || '') : null;
  // A secret's value goes to the layer (in this process only): it masks it wherever it shows.
  // What each field last reported. A report is a round trip through the test process, and the
  // `change` that commits what the field's last `input` already reported tells the layer nothing
  // new: it is not sent. (Only `change`: a later `input` of the same value may be another test's
  // typing, which that test's record must hear of.)
  const lastTyped = new WeakMap();
  const reportTyped = (el, value, isSecret, event) => {
    const key = (isSecret ? 's:' : 'p:') + value;
    if (event === 'change' && lastTyped.get(el) === key) return;
    const sent = isSecret
      ? report({ kind: 'typed', secret: true, shape: shape(value), value, field: fieldKey(el) })
      : reportLater({ kind: 'typed', secret: false, shape: shape(value) });
    if (sent) lastTyped.set(el, key);
  };
  const typed = (event) => {
    const el = event.composedPath ? event.composedPath()[0] : event.target;
    if (!el || el.nodeType !== 1) return;
    const value = valueOf(el);
    if (value !== null) reportTyped(el, value, secret(el), event.type);
  };
  // A field switched to or from a secret one (type=password <-> text): it is secret from then
  // on, and what it holds now was typed into a secret (or is about to be shown as one).
  const retyped = (records) => {
    for (const record of records) {
      const el = record.target;
      if (record.type !== 'attributes' || !el || el.tagName !== 'INPUT') continue;
      if (record.attributeName !== 'type' && record.attributeName !== 'autocomplete') continue;
      const old = String(record.oldValue || '');
      const wasOne = record.attributeName === 'type' ? old.toLowerCase() === 'password'
        : SECRET_AUTOCOMPLETE.test(old);
      if (wasOne) markSecret(el);
      if (secret(el) && el.value) reportTyped(el, String(el.value), true);
    }
  };
  // Closed shadow roots hide their fields from the window's listeners (an event leaving one is
  // retargeted to its host): each root a page attaches is listened to as well, for input only.
  const watchRoot = (root) => {
    root.addEventListener('input', typed, { capture: true, passive: true });
    root.addEventListener('change', typed, { capture: true, passive: true });
    new MutationObserver((records) => { try { retyped(records); } catch (e) { /* never break the page */ } })
      .observe(root, { subtree: true, attributeFilter: ['type', 'autocomplete'], attributeOldValue: true });
  };
  const nativeAttachShadow = Element.prototype.attachShadow;
  if (typeof nativeAttachShadow === 'function' && !nativeAttachShadow.__irlWatching) {
    const attachShadow = function (init) {
      const root = nativeAttachShadow.apply(this, arguments);
      try { if (init && init.mode === 'closed') watchRoot(root); } catch (e) { /* never break the page */ }
      return root;
    };
    Object.defineProperty(attachShadow, '__irlWatching', { value: true });
    Element.prototype.attachShadow = attachShadow;
  }
  // Adding a listener that is still there is a no-op, so listening again is always safe.
  const listen = () => {
    for (const type of ['pointerdown', 'mousedown', 'keydown', 'input']) {
      addEventListener(type, reached, { capture: true, passive: true });
    }
    addEventListener('input', typed, { capture: true, passive: true });
    addEventListener('change', typed, { capture: true, passive: true });
    addEventListener('pagehide', flush, { capture: true });
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
    new MutationObserver((records) => {
      lastChange = performance.now();
      if (doc.documentElement !== root) { root = doc.documentElement; listen(); }
      try { retyped(records); } catch (e) { /* never break the page */ }
    }).observe(doc, { subtree: true, childList: true, attributes: true, attributeOldValue: true,
                      characterData: true });
  };
  Object.defineProperty(window, '__irlObserving', { value: watch });
  watch(document);

  // When this document last started a navigation (a link, a form, a script): a click whose first
  // try timed out while its input was still on its way waits for the navigation it started.
  if (window.navigation && typeof window.navigation.addEventListener === 'function') {
    let navigatedAt = null;
    window.navigation.addEventListener('navigate', () => { navigatedAt = performance.now(); });
    Object.defineProperty(window, '__irlSinceNavigate', {
      value: () => (navigatedAt === null ? -1 : performance.now() - navigatedAt) });
  }
