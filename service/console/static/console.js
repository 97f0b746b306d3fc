// The console's only script: it polls job progress, filters the entry table
// as you type, and moves between segments in the editor with the keyboard.
// Every page works without it (forms and links do the rest).
"use strict";

function pollProgress(section) {
  const url = section.dataset.poll;
  const announcer = document.getElementById("progress-announcer");
  const seen = {};
  let failures = 0;

  function update(data) {
    for (const [lang, s] of Object.entries(data.languages)) {
      const row = document.getElementById("lang-" + lang);
      if (!row) continue;
      const state = row.querySelector(".state");
      const bar = row.querySelector("progress");
      const count = row.querySelector(".count");
      state.textContent = s.state;
      state.dataset.state = s.state;
      bar.max = s.total || 1;
      bar.value = s.total ? s.done : (s.state === "succeeded" ? 1 : 0);
      count.textContent = s.done + "/" + s.total;
      if (seen[lang] !== s.state && announcer) {
        if (seen[lang] !== undefined) announcer.textContent = lang + ": " + s.state;
        seen[lang] = s.state;
      }
    }
    const jobState = document.getElementById("job-state");
    if (jobState) jobState.textContent = data.state;
  }

  function tick() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((data) => {
        failures = 0;
        update(data);
        if (data.active) {
          window.setTimeout(tick, 1000);
        } else {
          if (announcer) announcer.textContent = "Finished: " + data.state + ". Loading the results.";
          window.location.reload();
        }
      })
      .catch((error) => {
        failures += 1;
        if (failures >= 5) {
          if (announcer) announcer.textContent = "Progress is not updating (" + error.message + "); reload the page.";
          announcer && announcer.classList.remove("visually-hidden");
          return;
        }
        window.setTimeout(tick, 2000);
      });
  }
  window.setTimeout(tick, 500);
}

function liveFilter(input) {
  const table = document.getElementById(input.dataset.filterTable);
  if (!table) return;
  const rows = Array.from(table.tBodies[0].rows).filter((row) => row.id.startsWith("entry-"));
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLocaleLowerCase();
    for (const row of rows) {
      if (row.classList.contains("editing")) continue;
      row.hidden = needle !== "" && !row.textContent.toLocaleLowerCase().includes(needle);
    }
  });
}

// The editor: Alt+ArrowDown / Alt+ArrowUp go to the next / previous segment,
// Ctrl+Enter (Cmd+Enter) saves the one being edited.
function segmentKeys(table) {
  const fields = Array.from(table.querySelectorAll("textarea.segment-target"));
  fields.forEach((field, index) => {
    field.addEventListener("keydown", (event) => {
      if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        const next = fields[index + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) {
          event.preventDefault();
          next.focus();
          next.scrollIntoView({block: "center"});
        }
      } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        field.form.requestSubmit();
      }
    });
  });
  const wanted = window.location.hash && document.querySelector(window.location.hash + " textarea");
  if (wanted) wanted.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table#segments").forEach(segmentKeys);
  document.querySelectorAll("[data-poll]").forEach(pollProgress);
  document.querySelectorAll("input[data-filter-table]").forEach(liveFilter);
});
