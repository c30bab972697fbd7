/* Sortable and filterable tables, no library. Included inline by base.html.j2.
   <table class="sortable">: click (or Enter/Space on) a header to sort by that column;
   again to reverse. Numbers ("1,234", "$5.00", "-3") sort as numbers, codes and text
   naturally ("A2" before "A10"). A cell's data-sort attribute, when present, is the key.
   <table class="sortable" data-filter>: a text box above the table hides the rows that
   do not contain the typed text. Without JavaScript the tables read the same, unsorted. */
(function () {
  "use strict";
  var NUMBER = /^-?\$?-?[\d,]*\.?\d+%?$/;

  function key(cell) {
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k !== null ? k : cell.textContent.trim();
  }

  function asNumber(text) {
    if (!NUMBER.test(text)) return null;
    var n = parseFloat(text.replace(/[$,%]/g, ""));
    return isNaN(n) ? null : n;
  }

  var collator = typeof Intl !== "undefined"
    ? new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }) : null;

  function compare(a, b) {
    var na = asNumber(a), nb = asNumber(b);
    if (na !== null && nb !== null) return na - nb;
    if (a === "" && b !== "") return 1;   /* blanks last */
    if (b === "" && a !== "") return -1;
    return collator ? collator.compare(a, b) : (a < b ? -1 : a > b ? 1 : 0);
  }

  function sortBy(table, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var index = th.cellIndex;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var headers = th.parentNode.cells;
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, pos) {
      return { row: row, key: key(row.cells[index]), pos: pos };
    });
    keyed.sort(function (x, y) {
      var c = compare(x.key, y.key);
      if (c === 0) return x.pos - y.pos;  /* stable */
      return ascending ? c : -c;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.row); });
    body.appendChild(frag);
  }

  function makeSortable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var cells = head.rows[head.rows.length - 1].cells;
    Array.prototype.forEach.call(cells, function (th) {
      if (th.hasAttribute("data-nosort")) return;
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th); }
      });
    });
  }

  function makeFilter(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-filter";
    box.placeholder = "Filter rows\u2026";
    box.setAttribute("aria-label", "Filter the rows of the table below");
    var count = document.createElement("span");
    count.className = "filter-count";
    count.setAttribute("aria-live", "polite");
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var shown = 0, rows = body.rows;
      for (var i = 0; i < rows.length; i++) {
        var hit = !needle || rows[i].textContent.toLowerCase().indexOf(needle) !== -1;
        rows[i].hidden = !hit;
        if (hit) shown++;
      }
      count.textContent = needle ? shown + " of " + rows.length + " rows" : "";
    });
    var wrap = document.createElement("div");
    wrap.className = "no-print";
    wrap.appendChild(box);
    wrap.appendChild(count);
    table.parentNode.insertBefore(wrap, table);
  }

  function init() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (t) {
      makeSortable(t);
      if (t.hasAttribute("data-filter")) makeFilter(t);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
