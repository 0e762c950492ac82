"use strict";

(function () {
  const session = Taskboard.requireSession();
  if (!session) {
    return;
  }
  Taskboard.renderHeader(session);

  const storageKey = "tasks:" + session.email;
  const form = document.getElementById("new-task-form");
  const input = document.getElementById("new-task");
  const list = document.getElementById("task-list");
  const count = document.getElementById("task-count");
  const empty = document.getElementById("empty-state");
  const clearCompleted = document.getElementById("clear-completed");
  const filterButtons = Array.from(document.querySelectorAll("[data-filter]"));

  let tasks = Taskboard.load(storageKey, []);
  let nextId = tasks.reduce(function (max, task) { return Math.max(max, task.id); }, 0) + 1;
  let filter = "all";

  function persist() {
    Taskboard.save(storageKey, tasks);
  }

  function isVisible(task) {
    if (filter === "active") return !task.done;
    if (filter === "completed") return task.done;
    return true;
  }

  function renderTask(task) {
    const item = document.createElement("li");
    item.className = task.done ? "task completed" : "task";
    item.setAttribute("data-testid", "task-item");
    item.dataset.id = String(task.id);

    const label = document.createElement("label");
    label.className = "task-label";
    const toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.className = "toggle";
    toggle.checked = task.done;
    toggle.setAttribute("data-testid", "task-toggle");
    toggle.addEventListener("change", function () {
      task.done = toggle.checked;
      persist();
      render();
    });
    const title = document.createElement("span");
    title.className = "task-title";
    title.textContent = task.title;
    // A click on the title does not toggle the task: a double-click edits it.
    title.addEventListener("click", function (event) { event.preventDefault(); });
    title.addEventListener("dblclick", function (event) {
      // Double-click edits the title in place; Enter saves, Escape cancels.
      event.preventDefault();
      const edit = document.createElement("input");
      edit.className = "edit";
      edit.value = task.title;
      edit.setAttribute("aria-label", "Edit task");
      edit.addEventListener("keydown", function (key) {
        if (key.key === "Enter" && edit.value.trim()) {
          task.title = edit.value.trim();
          persist();
          render();
        } else if (key.key === "Escape") {
          render();
        }
      });
      label.replaceChild(edit, title);
      edit.focus();
    });
    label.append(toggle, " ", title);

    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "delete";
    remove.textContent = "Delete";
    remove.setAttribute("data-testid", "task-delete");
    remove.addEventListener("click", function () {
      tasks = tasks.filter(function (other) { return other.id !== task.id; });
      persist();
      render();
    });

    item.append(label, remove);
    return item;
  }

  function render() {
    const visible = tasks.filter(isVisible);
    list.replaceChildren(...visible.map(renderTask));

    if (tasks.length === 0) {
      empty.textContent = "No tasks yet. Add one above.";
      empty.hidden = false;
    } else if (visible.length === 0) {
      empty.textContent = filter === "active" ? "Nothing left to do." : "No completed tasks.";
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }

    const left = tasks.filter(function (task) { return !task.done; }).length;
    count.textContent = left + (left === 1 ? " item left" : " items left");
    clearCompleted.hidden = !tasks.some(function (task) { return task.done; });

    filterButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.filter === filter));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const title = input.value.trim();
    if (!title) {
      input.focus();
      return;
    }
    tasks.push({ id: nextId++, title: title, done: false });
    persist();
    input.value = "";
    input.focus();
    render();
  });

  filterButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      filter = button.dataset.filter;
      render();
    });
  });

  clearCompleted.addEventListener("click", function () {
    tasks = tasks.filter(function (task) { return !task.done; });
    persist();
    render();
  });

  render();
  // The button stays disabled until its handler is in place, so a fast click never submits natively.
  document.getElementById("add-task").disabled = false;
})();
