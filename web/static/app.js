// Progressive enhancement for the search page; everything works without it.
// - ticking a category submits the form at once (dates wait for Enter or "Filtrele",
//   since a date field changes on every digit typed);
// - "/" focuses the search box from anywhere on the page.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("arama");
  if (!form) return;
  document.querySelectorAll('input[type="checkbox"][form="arama"]').forEach((input) => {
    input.addEventListener("change", () => form.requestSubmit());
  });
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
