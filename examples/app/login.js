"use strict";

(function () {
  const form = document.getElementById("login-form");
  const email = document.getElementById("email");
  const password = document.getElementById("password");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("sign-in");

  function showError(message, field) {
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function clearError() {
    error.textContent = "";
    error.hidden = true;
    email.removeAttribute("aria-invalid");
    password.removeAttribute("aria-invalid");
  }

  email.addEventListener("input", clearError);
  password.addEventListener("input", clearError);

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    clearError();

    const address = email.value.trim();
    if (!address) {
      showError("Please enter your email.", email);
      return;
    }
    if (!password.value) {
      showError("Please enter your password.", password);
      return;
    }

    // Pretend to talk to a server.
    submit.disabled = true;
    submit.textContent = "Signing in…";
    await Taskboard.delay(150);
    submit.disabled = false;
    submit.textContent = "Sign in";

    if (password.value === "wrong") {
      password.value = "";
      showError("Invalid email or password.", password);
      return;
    }

    Taskboard.startSession(address);
    window.location.assign("tasks.html");
  });
  // The button stays disabled until its handler is in place, so a fast click never submits natively.
  submit.disabled = false;
})();
