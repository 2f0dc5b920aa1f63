/* Linkplan workbench: draw a red line on a Leaflet map (click to add corners, finish, clear),
   and check it on the server (POST /ui/parcels/preview) before the form is submitted.
   No basemap tiles are fetched: the map shows the drawn parcel only (the workbench is offline). */
(function () {
  "use strict";
  var box = document.getElementById("draw-map");
  if (!box || !window.L) { return; }
  var target = document.getElementById(box.getAttribute("data-draw-target"));
  var count = document.getElementById("draw-count");
  var map = L.map(box, { zoomControl: true, attributionControl: false }).setView(
    (box.getAttribute("data-center") || "31.0,112.2").split(",").map(Number), 15);
  var corners = [];
  var line = L.polyline([], { color: "#c53030" }).addTo(map);
  var shape = null;

  function show() {
    line.setLatLngs(corners);
    count.textContent = "已点 " + corners.length + " 个角点";
  }
  function ring(latlngs) {
    var coords = latlngs.map(function (p) { return [p.lng, p.lat]; });
    coords.push(coords[0]);
    return JSON.stringify({ type: "Polygon", coordinates: [coords] });
  }
  map.on("click", function (e) {
    if (shape) { return; }
    corners.push(e.latlng);
    show();
  });
  document.getElementById("draw-finish").addEventListener("click", function () {
    if (corners.length < 3) { count.textContent = "请至少点击 3 个角点"; return; }
    shape = L.polygon(corners, { color: "#c53030", weight: 2 }).addTo(map);
    line.setLatLngs([]);
    target.value = ring(corners);
    count.textContent = "红线已完成（" + corners.length + " 个角点）";
  });
  document.getElementById("draw-clear").addEventListener("click", function () {
    corners = [];
    if (shape) { map.removeLayer(shape); shape = null; }
    target.value = "";
    show();
  });
  if (target.value) {  /* a form shown again after errors keeps its drawing */
    try {
      var g = JSON.parse(target.value);
      corners = g.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
      shape = L.polygon(corners, { color: "#c53030", weight: 2 }).addTo(map);
      map.fitBounds(shape.getBounds());
    } catch (err) { target.value = ""; }
  }

  var result = document.getElementById("parcel-result");
  function item(text, cls) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    result.appendChild(p);
  }
  document.getElementById("parcel-check").addEventListener("click", function () {
    var form = document.getElementById("intake-form");
    var data = new FormData();
    ["csrf_token", "drawn", "pasted", "system", "parcel_file"].forEach(function (name) {
      var el = form.elements[name];
      if (!el) { return; }
      if (el.type === "file") { if (el.files.length) { data.append(name, el.files[0]); } }
      else { data.append(name, el.value); }
    });
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    result.textContent = "检查中…";
    fetch("/ui/parcels/preview", { method: "POST", body: data, headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (a) {
        result.textContent = "";
        if (!a.ok) { (a.body.errors || ["红线无法读取"]).forEach(function (t) { item(t, "error"); }); return; }
        item("面积 " + a.body.area_m2.toLocaleString("zh-CN") + " m²", "alert alert-ok");
        a.body.warnings.forEach(function (t) { item(t, "alert alert-warn"); });
        var drawn = L.geoJSON(a.body.geometry, { style: { color: "#0b5394", weight: 2 } }).addTo(map);
        map.fitBounds(drawn.getBounds());
      })
      .catch(function () { result.textContent = "检查失败，请稍后重试"; });
  });
})();
