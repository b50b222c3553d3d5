// Case detail map: the case's point and its grid's outline. Works without a tile server.
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var source = document.getElementById("case-map-data");
  if (!el || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var tileUrl = el.dataset.tileUrl;
  var map = L.map(el, { attributionControl: !!tileUrl, scrollWheelZoom: false, zoomSnap: 0.25 });
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var outline = data.outline ? L.geoJSON(data.outline, {
    style: { color: "#1f6fb2", weight: 2, dashArray: "6 4", fillOpacity: 0.06 }
  }) : null;
  var marker = data.point ? L.circleMarker(data.point, {
    radius: 9, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1
  }) : null;
  // Set the view before adding any layer (Leaflet needs it to place vectors and labels).
  if (outline) {
    var bounds = outline.getBounds();
    if (data.point) bounds.extend(data.point);
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17, animate: false });
  } else {
    map.setView(data.point, 17, { animate: false });
  }
  if (outline) {
    outline.addTo(map);
    if (data.grid) outline.bindTooltip(data.grid, { sticky: true });
  }
  if (marker) {
    marker.addTo(map);
    if (data.label) marker.bindTooltip(data.label, { permanent: true, direction: "top", offset: [0, -8] });
  }
  el.dataset.loaded = "true";
})();
