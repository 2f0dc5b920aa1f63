/* Linkplan's road labels and side-by-side routes (Leaflet 1.9) — Linkplan's own code, no CDN.
 * linkplanRoadLabels(map, group, labels): each label [lat, lng, name, angle°] is a permanent,
 * non-interactive tooltip turned along its road; the name is written with textContent, never
 * innerHTML, so a name such as <img src=x onerror=…> is shown as typed and never runs.
 * A polyline whose options carry linkplanOffset (screen pixels, left negative) is drawn that
 * far beside its line at every zoom, so routes sharing a sidewalk lie side by side. */
(function () {
  if (typeof L === "undefined") { return; }

  window.linkplanRoadLabels = function (map, group, labels) {
    labels.forEach(function (item) {
      var box = document.createElement("span");
      box.className = "linkplan-road-name";
      box.textContent = String(item[2]);
      box.style.transform = "rotate(" + Number(item[3]) + "deg)";
      L.tooltip({
        permanent: true,
        interactive: false,
        direction: "center",
        className: "linkplan-road-label",
        opacity: 1
      }).setLatLng(L.latLng(item[0], item[1])).setContent(box).addTo(group);
    });
    return group;
  };

  function offsetRing(pts, d) {
    var n = pts.length, normals = [], out = [], i;
    if (n < 2) { return pts; }
    for (i = 0; i < n - 1; i++) {
      var dx = pts[i + 1].x - pts[i].x, dy = pts[i + 1].y - pts[i].y, len = Math.sqrt(dx * dx + dy * dy);
      normals.push(len > 1e-9 ? L.point(-dy / len, dx / len) : (normals[i - 1] || L.point(0, 0)));
    }
    for (i = 0; i < n; i++) {
      var a = normals[Math.max(i - 1, 0)], b = normals[Math.min(i, n - 2)];
      var mx = a.x + b.x, my = a.y + b.y, ml = Math.sqrt(mx * mx + my * my);
      if (ml < 1e-9) { mx = b.x; my = b.y; ml = 1; }
      mx /= ml; my /= ml;
      var scale = 1 / Math.max(mx * b.x + my * b.y, 0.35); // mitre, limited at sharp turns
      out.push(L.point(pts[i].x + mx * d * scale, pts[i].y + my * d * scale));
    }
    return out;
  }

  var project = L.Polyline.prototype._projectLatlngs;
  L.Polyline.prototype._projectLatlngs = function (latlngs, result, projectedBounds) {
    var start = result.length;
    project.call(this, latlngs, result, projectedBounds);
    var d = this.options.linkplanOffset;
    if (!d || this instanceof L.Polygon || !L.LineUtil.isFlat(latlngs)) { return; }
    for (var i = start; i < result.length; i++) {
      result[i] = offsetRing(result[i], d);
      for (var j = 0; j < result[i].length; j++) { projectedBounds.extend(result[i][j]); }
    }
  };
})();
