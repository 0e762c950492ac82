// Shared helpers for the Taskboard demo app: session, storage and page chrome.
// Everything lives in localStorage, so every browser context starts from a clean slate.
"use strict";

window.Taskboard = (function () {
  const PREFIX = "taskboard:";
  const SESSION_KEY = "session";

  function load(key, fallback) {
    try {
      const raw = window.localStorage.getItem(PREFIX + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (err) {
      return fallback;
    }
  }

  function save(key, value) {
    window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
  }

  function remove(key) {
    window.localStorage.removeItem(PREFIX + key);
  }

  function getSession() {
    return load(SESSION_KEY, null);
  }

  function startSession(email) {
    save(SESSION_KEY, { email: email, since: new Date().toISOString() });
  }

  function endSession() {
    remove(SESSION_KEY);
  }

  // Pages behind the login call this first; it returns null after starting a redirect.
  function requireSession() {
    const session = getSession();
    if (!session || !session.email) {
      window.location.replace("login.html");
      return null;
    }
    return session;
  }

  const DEFAULT_SETTINGS = { displayName: "", notifications: true, theme: "system" };

  function loadSettings(email) {
    return Object.assign({}, DEFAULT_SETTINGS, load("settings:" + email, {}));
  }

  function saveSettings(email, settings) {
    save("settings:" + email, settings);
  }

  function applyTheme(theme) {
    document.documentElement.dataset.theme = theme || "system";
  }

  // Fills in the top bar shared by the signed-in pages and wires up "Sign out".
  function renderHeader(session) {
    const settings = loadSettings(session.email);
    applyTheme(settings.theme);
    const who = document.getElementById("current-user");
    if (who) {
      who.textContent = "Signed in as " + (settings.displayName || session.email);
    }
    const signOut = document.getElementById("sign-out");
    if (signOut && !signOut.dataset.wired) {
      signOut.dataset.wired = "1";
      signOut.addEventListener("click", function () {
        endSession();
        window.location.assign("login.html");
      });
    }
  }

  function delay(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  return {
    load: load,
    save: save,
    getSession: getSession,
    startSession: startSession,
    endSession: endSession,
    requireSession: requireSession,
    loadSettings: loadSettings,
    saveSettings: saveSettings,
    applyTheme: applyTheme,
    renderHeader: renderHeader,
    delay: delay,
  };
})();
