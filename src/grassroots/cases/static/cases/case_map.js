// Case detail map: the case's point and its grid's outline. Works without a tile server.
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var source = document.getElementById("case-map-data");
  if (!el || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var tileUrl = el.dataset.tileUrl;
  var map = L.map(el, { attributionControl: !!tileUrl, scrollWheelZoom: false });
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var bounds = null;
  if (data.outline) {
    var outline = L.geoJSON(data.outline, { style: { color: "#1f6fb2", weight: 2, dashArray: "6 4", fillOpacity: 0.06 } });
    outline.addTo(map);
    bounds = outline.getBounds();
    if (data.grid) outline.bindTooltip(data.grid, { direction: "center", className: "grid-label" });
  }
  if (data.point) {
    var marker = L.circleMarker(data.point, { radius: 9, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 });
    marker.addTo(map);
    if (data.label) marker.bindTooltip(data.label, { permanent: true, direction: "top", offset: [0, -8] });
    if (!bounds) { map.setView(data.point, 17); } else { bounds.extend(data.point); }
  }
  if (bounds) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17, animate: false });
  el.dataset.loaded = "true";
})();
