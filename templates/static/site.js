/* Progressive enhancement: the pages are complete without this script.
   - statuses of deadlines and timetable items, and the home page's next milestone, follow the reader's today, or
     stay those of the day the content describes (data-content-date on <html>, when site_config.yaml sets
     content_date);
   - the expert table gets filters and sortable columns;
   - the documents tables get a kind and source filter. */
(function () {
  "use strict";

  function isoToday() {
    var now = new Date();
    var m = String(now.getMonth() + 1).padStart(2, "0");
    var d = String(now.getDate()).padStart(2, "0");
    return now.getFullYear() + "-" + m + "-" + d;
  }

  function daysBetween(fromIso, toIso) {
    return Math.round((Date.parse(toIso + "T00:00:00Z") - Date.parse(fromIso + "T00:00:00Z")) / 86400000);
  }

  function updateTimetable(today) {
    var labels = {};
    var template = document.getElementById("state-labels");
    if (!template) return;
    template.content.querySelectorAll("[data-state]").forEach(function (el) {
      labels[el.getAttribute("data-state")] = el.textContent;
    });
    var seenNext = false;
    document.querySelectorAll(".milestone[data-start]").forEach(function (item) {
      var start = item.getAttribute("data-start"), end = item.getAttribute("data-end"), state;
      if (end < today) state = "past";
      else if (start <= today) state = "current";
      else if (!seenNext) { state = "next"; seenNext = true; }
      else state = "upcoming";
      item.className = item.className.replace(/\bstate-\w+/g, "").trim() + " state-" + state;
      var label = item.querySelector("[data-state-label]");
      if (label) { label.textContent = labels[state]; label.className = "state state-" + state; }
    });
  }

  function updateDeadlines(today) {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = daysBetween(today, el.getAttribute("data-deadline"));
      var labels = JSON.parse(el.getAttribute("data-labels"));  // the page's own texts, in its language
      var state = left < 0 ? "closed" : left <= 7 ? "closing" : "open";
      el.hidden = today < (el.getAttribute("data-from") || today);  // a draft's deadline counts from its release
      el.className = "deadline deadline-" + state;
      el.textContent = labels[state === "closing" ? String(left) : state];
    });
  }

  function updateNextMilestone(today) {  // the home page's card: the first milestone not over on `today`
    document.querySelectorAll("[data-next]").forEach(function (card) {
      var shown = null;
      card.querySelectorAll("[data-until]").forEach(function (item) {
        item.hidden = shown !== null || item.getAttribute("data-until") < today;
        if (!item.hidden) shown = item;
      });
      card.hidden = shown === null;
    });
  }

  function cellText(row, index) {
    return (row.cells[index] ? row.cells[index].textContent : "").trim();
  }

  function enhanceExperts() {
    var table = document.getElementById("experts-table");
    var box = document.getElementById("expert-filters");
    if (!table || !box) return;
    box.hidden = false;
    var search = document.getElementById("expert-search");
    var category = document.getElementById("expert-category");
    var status = document.getElementById("expert-status");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var collator = new Intl.Collator(document.documentElement.lang, { numeric: true, sensitivity: "base" });

    function apply() {
      var words = search.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
      var wanted = category.value, shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var ok = (!wanted || row.getAttribute("data-category") === wanted) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = status.getAttribute("data-template")
        .replace("{shown}", shown).replace("{total}", rows.length);
    }
    search.addEventListener("input", apply);
    category.addEventListener("change", apply);

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
          other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var order = collator.compare(cellText(a, index), cellText(b, index));
          return ascending ? order : -order;
        });
        var body = table.tBodies[0];
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    apply();
  }

  function enhanceDocuments() {
    var box = document.getElementById("document-filters");
    if (!box) return;
    box.hidden = false;
    var kind = document.getElementById("document-kind");
    var search = document.getElementById("document-search");
    function apply() {
      var wanted = kind.value, words = search.value.toLowerCase().trim();
      document.querySelectorAll(".document-group").forEach(function (group) {
        var visible = 0;
        group.querySelectorAll("tbody tr").forEach(function (row) {
          var ok = (!wanted || row.getAttribute("data-kind") === wanted) &&
            (!words || cellText(row, 2).toLowerCase().indexOf(words) >= 0);
          row.hidden = !ok;
          if (ok) visible += 1;
        });
        group.hidden = visible === 0;
      });
    }
    kind.addEventListener("change", apply);
    search.addEventListener("input", apply);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var today = document.documentElement.getAttribute("data-content-date") || isoToday();
    updateTimetable(today);
    updateDeadlines(today);
    updateNextMilestone(today);
    enhanceExperts();
    enhanceDocuments();
  });
})();
