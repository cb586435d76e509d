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
  // Jump straight to the first highlighted match when a document is opened from a search.
  // A link to a cited passage (?start=…&end=…#cited) opens with the passage marked and centred.
  window.addEventListener("load", function () {
    var cited = document.getElementById("cited");
    if (cited && cited.tagName === "MARK") cited.scrollIntoView({ block: "center" });
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (location.hash || document.getElementById("cited")) return;
    var first = document.querySelector(".doc-text mark");
    if (first) first.scrollIntoView({ block: "center" });
  });
})();
