// Small keyboard helpers; the interface works fully without this script.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    // "/" jumps to the search box, as in most search tools.
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
  // The trace form's file control is hidden behind a label in the interface language: show the
  // chosen file's name beside it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.classList || !input.classList.contains("file-input")) return;
    var shown = input.parentNode.querySelector(".file-name");
    if (!shown) return;
    var name = input.files && input.files.length ? input.files[0].name : "";
    shown.textContent = name || shown.getAttribute("data-none");
    shown.dir = name ? "auto" : "";
  });
  // Jump straight to the first highlighted match when a document is opened from a search.
  document.addEventListener("DOMContentLoaded", function () {
    if (location.hash) return;
    var first = document.querySelector(".doc-text mark");
    if (first) first.scrollIntoView({ block: "center" });
  });
})();
