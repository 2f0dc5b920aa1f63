/* Linkplan's tooltips and popups (Leaflet 1.9) — Linkplan's own code, no CDN.
 * A feature's tooltip or popup is built from one of its properties with textContent, never
 * innerHTML, so a name such as <img src=x onerror=…> is shown as the characters typed and
 * never runs. A string is one line of text; {title, rows: [[label, value], …]} is a small
 * table (api.maps.layers.popup_table). */
(function () {
  function text(tag, value) {
    var e = document.createElement(tag);
    e.textContent = value === null || value === undefined ? "" : String(value);
    return e;
  }
  window.linkplanDetail = function (value) {
    var div = document.createElement("div");
    if (value === null || value === undefined) { return div; }
    if (typeof value !== "object") { div.textContent = String(value); return div; }
    if (value.title) { div.appendChild(text("b", value.title)); }
    var table = document.createElement("table");
    table.className = "lp";
    (value.rows || []).forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(text("th", row[0]));
      tr.appendChild(text("td", row[1]));
      table.appendChild(tr);
    });
    div.appendChild(table);
    return div;
  };
})();
