/* Linkplan workbench: draw a red line on a Leaflet map (click to add corners, finish, clear),
   and check it on the server (POST /ui/parcels/preview) before the form is submitted.
   No basemap tiles are fetched (the workbench is offline): the map shows the roads, with their
   names, and the registered sites of the view (GET /ui/map/context, GeoJSON WGS84). */
(function () {
  "use strict";
  var box = document.getElementById("draw-map");
  if (!box || !window.L) { return; }
  var target = document.getElementById(box.getAttribute("data-draw-target"));
  var count = document.getElementById("draw-count");
  var form = document.getElementById("intake-form");
  var map = L.map(box, { zoomControl: true, attributionControl: false }).setView(
    (box.getAttribute("data-center") || "31.0,112.2").split(",").map(Number), 15);
  var corners = [];
  var line = L.polyline([], { color: "#c53030" }).addTo(map);
  var shape = null;

  /* the roads and sites around: fetched for the view, again after each move */
  var context = L.geoJSON(null, {
    interactive: true,
    style: function (f) {
      return f.properties.kind === "road"
        ? { color: "#6b7280", weight: 3, opacity: 0.9 }
        : { color: "#4b5563", weight: 1, fillColor: "#9ca3af", fillOpacity: 0.35 };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      var text = p.kind === "road" ? p.name : (p.project_id ? p.project_id + " " + (p.name || "") : "已登记项目用地");
      if (text) { layer.bindTooltip(text, { sticky: true }); }  /* clicks bubble to the map */
    }
  }).addTo(map);
  var url = box.getAttribute("data-context");
  var asked = 0;
  function load() {
    if (!url) { return; }
    var b = map.getBounds();
    var ticket = ++asked;
    fetch(url + "?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","),
      { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || ticket !== asked) { return; }
        context.clearLayers();
        context.addData(data);
        context.bringToBack();
        box.setAttribute("data-context-features", String(data.features.length));
      })
      .catch(function () { /* the drawing works without the context */ });
  }
  map.on("moveend", load);

  function show() {
    line.setLatLngs(corners);
    count.textContent = "已点 " + corners.length + " 个角点";
  }
  function ring(latlngs) {
    var coords = latlngs.map(function (p) { return [p.lng, p.lat]; });
    coords.push(coords[0]);
    return JSON.stringify({ type: "Polygon", coordinates: [coords] });
  }
  function finish() {
    if (shape) { return true; }
    if (corners.length < 3) { return false; }
    shape = L.polygon(corners, { color: "#c53030", weight: 2 }).addTo(map);
    line.setLatLngs([]);
    target.value = ring(corners);
    count.textContent = "红线已完成（" + corners.length + " 个角点）";
    return true;
  }
  map.on("click", function (e) {
    if (shape) { return; }
    corners.push(e.latlng);
    show();
  });
  document.getElementById("draw-finish").addEventListener("click", function () {
    if (!finish()) { count.textContent = "请至少点击 3 个角点（已点 " + corners.length + " 个）"; }
  });
  document.getElementById("draw-clear").addEventListener("click", function () {
    corners = [];
    if (shape) { map.removeLayer(shape); shape = null; }
    target.value = "";
    show();
  });
  /* corners clicked but 完成绘制 forgotten: submitting finishes the polygon (≥ 3 corners) */
  if (form) { form.addEventListener("submit", function () { finish(); }); }
  if (target.value) {  /* a form shown again after errors keeps its drawing */
    try {
      var g = JSON.parse(target.value);
      corners = g.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
      shape = L.polygon(corners, { color: "#c53030", weight: 2 }).addTo(map);
      count.textContent = "红线已完成（" + corners.length + " 个角点）";
      map.fitBounds(shape.getBounds());
    } catch (err) { target.value = ""; corners = []; }
  }
  load();

  var result = document.getElementById("parcel-result");
  function item(text, cls) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    result.appendChild(p);
  }
  document.getElementById("parcel-check").addEventListener("click", function () {
    finish();
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
