/* Linkplan 测距 (distance measuring) control for Leaflet 1.9 — Linkplan's own code, no CDN.
 * Click "测距", then click points on the map; the running length along the clicked line is
 * shown in metres (great-circle distance, Leaflet's map.distance). Double-click or "结束"
 * ends a measurement; "清除" removes all. Works offline. While measuring, parcels, routes and
 * markers let clicks through (CSS class linkplan-measuring), so a click on a red line or a
 * route adds a point instead of opening its popup. The line is drawn in options.line (Linkplan's
 * style table, api/maps/style.py) over a white halo, unlike any line of the map. */
(function () {
  if (typeof L === "undefined") { return; }
  L.Control.LinkplanMeasure = L.Control.extend({
    options: { position: "topleft", line: { color: "#0d47a1", weight: 3, dashArray: "10 5" } },
    onAdd: function (map) {
      this._map = map;
      this._active = false;
      this._points = [];
      this._group = L.layerGroup().addTo(map);
      var box = L.DomUtil.create("div", "leaflet-bar linkplan-measure");
      box.style.background = "#fff";
      box.style.padding = "2px 4px";
      box.style.font = "12px sans-serif";
      this._button = L.DomUtil.create("a", "linkplan-measure-toggle", box);
      this._button.href = "#";
      this._button.title = "测距：依次点击地图上的点，双击结束";
      this._button.innerHTML = "测距";
      this._button.style.width = "auto";
      this._button.style.padding = "0 4px";
      this._readout = L.DomUtil.create("span", "linkplan-measure-readout", box);
      this._readout.style.marginLeft = "4px";
      var clear = L.DomUtil.create("a", "linkplan-measure-clear", box);
      clear.href = "#";
      clear.innerHTML = "清除";
      clear.style.width = "auto";
      clear.style.padding = "0 4px";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(this._button, "click", function (e) { L.DomEvent.preventDefault(e); this.toggle(); }, this);
      L.DomEvent.on(clear, "click", function (e) { L.DomEvent.preventDefault(e); this.clear(); }, this);
      return box;
    },
    toggle: function () {
      if (this._active) { this.finish(); } else { this.start(); }
    },
    start: function () {
      this._active = true;
      this._points = [];
      var line = L.extend({ interactive: false }, this.options.line);
      var halo = L.extend({}, line, { color: "#fff", weight: line.weight + 3, dashArray: null, opacity: 0.9 });
      this._halo = L.polyline([], halo).addTo(this._group);
      this._line = L.polyline([], line).addTo(this._group);
      L.DomUtil.addClass(this._map.getContainer(), "linkplan-measuring");
      this._map.closePopup();
      this._button.innerHTML = "结束";
      this._map.getContainer().style.cursor = "crosshair";
      this._map.doubleClickZoom.disable();
      this._map.on("click", this._add, this);
      this._map.on("dblclick", this.finish, this);
    },
    finish: function () {
      this._active = false;
      this._button.innerHTML = "测距";
      this._map.getContainer().style.cursor = "";
      L.DomUtil.removeClass(this._map.getContainer(), "linkplan-measuring");
      this._map.off("click", this._add, this);
      this._map.off("dblclick", this.finish, this);
      this._map.doubleClickZoom.enable();
    },
    clear: function () {
      if (this._active) { this.finish(); }
      this._group.clearLayers();
      this._points = [];
      this._readout.innerHTML = "";
    },
    length: function () {
      var total = 0;
      for (var i = 1; i < this._points.length; i++) {
        total += this._map.distance(this._points[i - 1], this._points[i]);
      }
      return total;
    },
    _add: function (e) {
      this._points.push(e.latlng);
      this._halo.addLatLng(e.latlng);
      this._line.addLatLng(e.latlng);
      var m = this.length();
      var text = m >= 1000 ? (m / 1000).toFixed(3) + " km" : m.toFixed(1) + " m";
      L.circleMarker(e.latlng, { radius: 4, color: "#fff", weight: 2, fillColor: this.options.line.color,
        fillOpacity: 1, interactive: false })
        .bindTooltip(text, { permanent: this._points.length > 1, direction: "right" })
        .addTo(this._group);
      this._readout.innerHTML = text;
    }
  });
  L.control.linkplanMeasure = function (opts) { return new L.Control.LinkplanMeasure(opts); };
})();
