"use strict";

(function () {
  const session = Taskboard.requireSession();
  if (!session) {
    return;
  }
  Taskboard.renderHeader(session);

  const form = document.getElementById("settings-form");
  const displayName = document.getElementById("display-name");
  const notifications = document.getElementById("notifications");
  const theme = document.getElementById("theme");
  const saveButton = document.getElementById("save-settings");
  const status = document.getElementById("save-status");

  const current = Taskboard.loadSettings(session.email);
  displayName.value = current.displayName;
  notifications.checked = current.notifications;
  theme.value = current.theme;

  function markDirty() {
    if (!saveButton.disabled) {
      status.textContent = "Unsaved changes";
    }
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const next = {
      displayName: displayName.value.trim(),
      notifications: notifications.checked,
      theme: theme.value,
    };

    saveButton.disabled = true;
    status.textContent = "Saving…";
    await Taskboard.delay(300); // simulated round trip to the server
    Taskboard.saveSettings(session.email, next);
    Taskboard.renderHeader(session);
    saveButton.disabled = false;
    status.textContent = "Saved";
  });
  // The controls stay disabled until the stored values are in them and the handler is in place:
  // typing into a field this script is about to overwrite, or a native submit, would be lost.
  displayName.disabled = false;
  notifications.disabled = false;
  theme.disabled = false;
  saveButton.disabled = false;
})();
