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
  // A job's page follows its job: the state and counts of /api/jobs/<id> every second, and the
  // page reloaded once the job is done (it then shows the result).
  function followJob(box) {
    var id = box.getAttribute("data-job");
    var bar = box.querySelector(".job-progress");
    var count = box.querySelector(".job-count");
    var stateText = box.querySelector(".job-state");
    function poll() {
      fetch("/api/jobs/" + encodeURIComponent(id), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (job.state === "done" || job.state === "failed") { location.reload(); return; }
          if (job.total) { bar.max = job.total; bar.value = job.done; }
          if (job.total) count.textContent = count.getAttribute("data-template")
            .replace("{done}", job.done.toLocaleString()).replace("{total}", job.total.toLocaleString());
          stateText.setAttribute("data-state", job.state);
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 500);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-job]");
    if (box && /^(queued|running)$/.test(box.getAttribute("data-state"))) followJob(box);
  });
  // The correspondents graph as a PNG, drawn in the browser from the SVG on the page: its
  // stylesheet colours are written onto a copy (a picture has no stylesheet), the copy is drawn on
  // a canvas at twice its size, and the canvas is downloaded.
  document.addEventListener("click", function (event) {
    var button = event.target;
    if (!button || button.id !== "graph-png") return;
    var svg = document.querySelector("svg.graph-chart");
    if (!svg) return;
    var copy = svg.cloneNode(true);
    var original = svg.querySelectorAll(".edge, .node, .name");
    var copied = copy.querySelectorAll(".edge, .node, .name");
    for (var i = 0; i < original.length; i++) {
      var style = getComputedStyle(original[i]);
      ["stroke", "stroke-opacity", "fill", "font-size", "font-family"].forEach(function (name) {
        copied[i].setAttribute(name, style.getPropertyValue(name));
      });
    }
    var box = svg.viewBox.baseVal;
    copy.setAttribute("width", box.width);
    copy.setAttribute("height", box.height);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * 2;
      canvas.height = box.height * 2;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      var link = document.createElement("a");
      link.download = button.getAttribute("data-file") || "graph.png";
      link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link);
      link.click();
      link.remove();
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
  });
})();
