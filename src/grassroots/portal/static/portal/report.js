// The resident's report form: pick the place on a map of the district's grid outlines (works with
// no tile server: outlines on a plain background), preview the photos, and guard the submit button.
// The server checks everything again; this script only helps the resident get it right first time.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var latInput = form.elements.lat, lngInput = form.elements.lng;
  var status = document.getElementById("place-status");
  var clearBtn = document.getElementById("clear-point");
  var locateBtn = document.getElementById("locate-me");

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "place-status" + (kind ? " " + kind : "");
  }

  // --- point in polygon (GeoJSON [lng, lat] rings; holes count as outside) -----------------------
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!rings.length || !inRing(x, y, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(x, y, rings[k])) return false;
    return true;
  }
  function gridAt(features, lat, lng) {
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry;
      if (!g) continue;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      for (var p = 0; p < polys.length; p++) if (inPolygon(lng, lat, polys[p])) return features[i].properties;
    }
    return null;
  }

  // --- the map -------------------------------------------------------------------------------------
  var el = document.getElementById("pick-map");
  var map = null, marker = null, features = [];
  if (el && window.L) {
    map = L.map(el, { zoomSnap: 0.25, attributionControl: !!el.dataset.tileUrl, scrollWheelZoom: false });
    el.leafletMap = map; // for browser tests and the console
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    map.setView([32.6, 110.7], 12);
    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        features = data.features || [];
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function () { return { color: "#c8102e", weight: 1.5, opacity: 0.8, fillColor: "#c8102e", fillOpacity: 0.06 }; },
          onEachFeature: function (f, l) {
            if (features.length <= 40) l.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "grid-label" });
          }
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12], animate: false });
        el.dataset.loaded = "true";
        if (latInput.value && lngInput.value) place(parseFloat(latInput.value), parseFloat(lngInput.value), false);
      })
      .catch(function () {
        el.dataset.loaded = "error";
        say("地图加载失败，可以搜索楼栋或填写地址。", "bad");
      });
    map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, false); });
  }

  function place(lat, lng, pan) {
    if (!map) return;
    var grid = gridAt(features, lat, lng);
    if (marker) marker.remove();
    marker = L.circleMarker([lat, lng], { radius: 9, weight: 3, color: grid ? "#1b5e20" : "#b00020",
      fillColor: grid ? "#ffd400" : "#fff", fillOpacity: 1 }).addTo(map);
    if (pan) map.panTo([lat, lng]);
    clearBtn.hidden = false;
    if (grid) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      say("已选位置：" + (grid.community_name ? grid.community_name + " · " : "") + grid.name, "ok");
    } else {
      latInput.value = "";
      lngInput.value = "";
      say("这里不在本区的网格范围内，请在有红色边框的区域内点选，或搜索楼栋、填写地址。", "bad");
    }
  }

  if (clearBtn) clearBtn.addEventListener("click", function () {
    latInput.value = lngInput.value = "";
    if (marker) marker.remove();
    marker = null;
    clearBtn.hidden = true;
    say("尚未选点");
  });

  if (locateBtn) {
    if (!navigator.geolocation) locateBtn.hidden = true;
    locateBtn.addEventListener("click", function () {
      say("正在获取您的位置…");
      navigator.geolocation.getCurrentPosition(
        function (pos) { place(pos.coords.latitude, pos.coords.longitude, true); if (map) map.setZoom(Math.max(map.getZoom(), 16)); },
        function () { say("无法获取您的位置，请在地图上点选。", "bad"); },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }

  // --- photos: previews and the limits, before anything is sent ------------------------------------
  var photos = document.getElementById("photos");
  var list = document.getElementById("photo-list");
  if (photos && list) {
    photos.addEventListener("change", function () {
      list.textContent = "";
      var maxFiles = parseInt(photos.dataset.maxFiles, 10), maxBytes = parseInt(photos.dataset.maxBytes, 10);
      var files = Array.prototype.slice.call(photos.files);
      if (files.length > maxFiles) {
        var li = document.createElement("li");
        li.className = "bad";
        li.style.gridColumn = "1 / -1";
        li.textContent = "最多上传 " + maxFiles + " 张照片（您选了 " + files.length + " 张），请重新选择。";
        list.appendChild(li);
      }
      files.forEach(function (f) {
        var item = document.createElement("li");
        var ok = /^image\/(jpeg|png|webp)$/.test(f.type) && f.size <= maxBytes;
        if (ok) {
          var img = document.createElement("img");
          img.alt = f.name;
          img.src = URL.createObjectURL(f);
          item.appendChild(img);
        } else {
          item.className = "bad";
        }
        var caption = document.createElement("span");
        caption.textContent = ok ? f.name : f.name + (f.size > maxBytes ? "：太大" : "：格式不支持");
        item.appendChild(caption);
        list.appendChild(item);
      });
    });
  }

  // --- one submit only (the server's one-time key makes a double click harmless anyway) -------------
  var button = document.getElementById("submit-report");
  form.addEventListener("submit", function () {
    if (!button) return;
    window.setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
  });
  // A building chosen from the search wins over a map point: say so.
  form.addEventListener("change", function (e) {
    if (e.target.name === "building" && e.target.value) say("已选楼栋：" + e.target.parentNode.textContent.trim(), "ok");
  });
})();
