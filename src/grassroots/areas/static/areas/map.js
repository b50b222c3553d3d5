// Grid map: draws the grids of the chosen area from the API's GeoJSON with Leaflet.
// Works without a tile server (outlines on a plain background), which is common on intranets.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var PALETTE = ["#c8102e", "#1f6fb2", "#2e8b57", "#b8860b", "#6a3d9a", "#d2691e", "#008b8b", "#8b4513"];
  var note = document.getElementById("map-note");
  var tileUrl = el.dataset.tileUrl;

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!tileUrl });
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var DEFAULT_VIEW = [[32.6, 110.7], 12];

  function showNote(text) {
    if (!note) return;
    note.textContent = text;
    note.hidden = false;
  }

  function colour(code) {
    var h = 0;
    for (var i = 0; i < code.length; i++) h = (h * 31 + code.charCodeAt(i)) % 9973;
    return PALETTE[h % PALETTE.length];
  }

  // One community on the map: a colour per grid; several: a colour per community.
  var byCommunity = false;

  function style(feature) {
    var p = feature.properties;
    var c = colour(byCommunity ? p.community_code || p.code : p.code);
    return { color: c, weight: 2, opacity: 0.9, fillColor: c, fillOpacity: 0.18 };
  }

  function bind(count) {
    return function (feature, layer) {
      var p = feature.properties;
      layer.bindTooltip(p.name, { permanent: count <= 60, direction: "center", className: "grid-label" });
      layer.on("mouseover", function () { layer.setStyle({ weight: 4, fillOpacity: 0.35 }); });
      layer.on("mouseout", function () { layer.setStyle(style(feature)); });
      layer.on("click", function () { if (p.url) window.location.href = p.url; });
    };
  }

  fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) {
      var communities = {};
      data.features.forEach(function (f) { communities[f.properties.community_code] = true; });
      byCommunity = Object.keys(communities).length > 1;
      var layer = L.geoJSON(data, { style: style, onEachFeature: bind(data.features.length) });
      var n = layer.getLayers().length;
      el.dataset.grids = String(n);
      if (n) {
        // set the view before adding the layer, without animation, so labels land in the right place
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17, animate: false });
      } else {
        map.setView(DEFAULT_VIEW[0], DEFAULT_VIEW[1]);
        showNote("该区域的网格还没有绘制边界。可在右侧下载边界文件，用 QGIS 等工具绘制后上传。");
      }
      layer.addTo(map);
      el.dataset.loaded = "true";
    })
    .catch(function () {
      if (el.dataset.grids === undefined) map.setView(DEFAULT_VIEW[0], DEFAULT_VIEW[1]);
      showNote("网格边界加载失败，请检查网络后刷新页面重试。");
      el.dataset.loaded = "error";
    });

  // Coordinate lookup: which grid contains a point (e.g. from a patrol report)?
  var form = document.getElementById("locate-form");
  var result = document.getElementById("locate-result");
  var marker = null;
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var lat = form.elements.lat.value.trim(), lng = form.elements.lng.value.trim();
    var url = form.dataset.url + "?lat=" + encodeURIComponent(lat) + "&lng=" + encodeURIComponent(lng);
    result.className = "small";
    result.textContent = "查找中…";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(res.body.detail || "查找失败");
        var g = res.body.grid;
        result.textContent = "";
        var a = document.createElement("a");
        a.href = g.url;
        a.textContent = g.name + "（" + g.code + "）";
        var names = res.body.path.map(function (item) { return item.name; });
        result.append("位于 ", a, "：" + names.join(" / "));
        if (marker) marker.remove();
        marker = L.circleMarker([res.body.lat, res.body.lng], { radius: 7, color: "#222", fillColor: "#ffd400", fillOpacity: 1 })
          .addTo(map);
        map.panTo([res.body.lat, res.body.lng]);
      })
      .catch(function (err) {
        result.className = "small error";
        result.textContent = err.message;
      });
  });
  map.on("click", function (e) {
    form.elements.lat.value = e.latlng.lat.toFixed(6);
    form.elements.lng.value = e.latlng.lng.toFixed(6);
  });
})();
