// The command center: draws /api/command/overview on a map (Leaflet, no tiles needed) and charts
// (ECharts), and asks for it again every `data-refresh` seconds — no page reload. Every chart has a
// "数据" button that shows its numbers as a table; the .xlsx export has them all.
(function () {
  "use strict";
  var root = document.getElementById("cc");
  if (!root || !window.L || !window.echarts) return;
  var ds = root.dataset;
  var refresh = Math.max(5, parseInt(ds.refresh, 10) || 60) * 1000;
  var data = null;
  var metric = document.getElementById("cc-metric");
  var heatBox = document.getElementById("cc-heat");
  var category = document.getElementById("cc-category");
  var errorBox = document.getElementById("cc-error");
  var panel = document.getElementById("cc-panel");

  // --- formatting --------------------------------------------------------------------------------
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function score(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(2); }
  function num(v) { return v === null || v === undefined ? "—" : String(Math.round(v * 10) / 10); }
  var RATE = { response_rate: 1, resolution_rate: 1, satisfaction_rate: 1, on_time_rate: 1 };
  function show(key, v) { return key === "composite" ? score(v) : RATE[key] ? pct(v) : num(v); }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- map ---------------------------------------------------------------------------------------
  var map = L.map("cc-map", { zoomSnap: 0.25, attributionControl: !!ds.tileUrl, preferCanvas: true });
  if (ds.tileUrl) L.tileLayer(ds.tileUrl, { attribution: ds.tileAttribution || "", maxZoom: 19 }).addTo(map);
  else document.getElementById("cc-map").classList.add("no-tiles");
  map.setView([32.6, 110.7], 12);
  var gridLayer = null;
  var heatLayer = L.layerGroup().addTo(map);
  var BAD_HIGH = ["#1b3b5f", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"];
  var GOOD_HIGH = ["#b2182b", "#ef8a62", "#fddbc7", "#a6dba0", "#1b7837"];
  var RATE_STEPS = [0.6, 0.7, 0.8, 0.9];

  function byCode() {
    var out = {};
    (data ? data.grids : []).forEach(function (g) { out[g.code] = g; });
    return out;
  }

  function steps(key) {
    if (key === "composite" || RATE[key]) return RATE_STEPS;
    var max = 0;
    (data ? data.grids : []).forEach(function (g) { if (g[key] > max) max = g[key]; });
    if (max <= 4) return [1, 2, 3, 4];
    return [1, Math.ceil(max / 4), Math.ceil(max / 2), Math.ceil((3 * max) / 4)];
  }

  function colourOf(key, v) {
    if (v === null || v === undefined) return "#4a5a70";
    var s = steps(key), palette = key === "composite" || RATE[key] ? GOOD_HIGH : BAD_HIGH, i = 0;
    while (i < s.length && v >= s[i]) i++;
    return palette[i];
  }

  function styleOf(feature) {
    var g = byCode()[feature.properties.code], key = metric.value;
    return { color: "#9fc3ff", weight: 1, opacity: 0.8, fillColor: colourOf(key, g ? g[key] : null), fillOpacity: 0.72 };
  }

  function legend() {
    var key = metric.value, s = steps(key), good = key === "composite" || RATE[key];
    var palette = good ? GOOD_HIGH : BAD_HIGH, parts = [];
    var fmt = function (v) { return good ? Math.round(v * 100) + (key === "composite" ? "" : "%") : String(v); };
    parts.push('<span><i style="background:' + palette[0] + '"></i>&lt; ' + fmt(s[0]) + "</span>");
    for (var i = 0; i < s.length; i++) {
      parts.push('<span><i style="background:' + palette[i + 1] + '"></i>≥ ' + fmt(s[i]) + "</span>");
    }
    parts.push('<span><i style="background:#4a5a70"></i>无数据</span>');
    document.getElementById("cc-legend").innerHTML = parts.join("");
    var label = data && data.metrics[key] ? data.metrics[key].label : "";
    document.getElementById("cc-metric-label").textContent = label ? "按" + label + "着色" : "";
  }

  function recolour() {
    if (gridLayer) {
      gridLayer.setStyle(styleOf);
      gridLayer.eachLayer(function (layer) {
        var g = byCode()[layer.feature.properties.code], key = metric.value;
        layer.setTooltipContent(esc(layer.feature.properties.name) + "<br>" + esc(data.metrics[key].label) + " " +
          show(key, g ? g[key] : null));
      });
    }
    legend();
  }

  function drawHeat() {
    heatLayer.clearLayers();
    if (!heatBox.checked || !data) return;
    var max = 1;
    data.heat.forEach(function (c) { if (c[2] > max) max = c[2]; });
    data.heat.forEach(function (c) {
      var w = c[2] / max;
      L.circleMarker([c[0], c[1]], { radius: 4 + 14 * Math.sqrt(w), stroke: false, fillColor: w > 0.5 ? "#ff3b30" : "#ffb000",
        fillOpacity: 0.25 + 0.5 * w, interactive: false }).addTo(heatLayer);
    });
  }

  function openGrid(code) {
    var url = ds.gridUrl.replace("CODE", encodeURIComponent(code));
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { panel.innerHTML = html; panel.hidden = false; panel.dataset.grid = code; })
      .catch(function () { panel.innerHTML = "<p>网格详情加载失败，请重试。</p>"; panel.hidden = false; });
  }
  panel.addEventListener("click", function (e) {
    if (e.target.closest("[data-close]")) { panel.hidden = true; panel.innerHTML = ""; }
  });

  fetch(ds.shapesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (shapes) {
      gridLayer = L.geoJSON(shapes, {
        style: styleOf,
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(esc(feature.properties.name), { sticky: true, className: "cc-tip" });
          layer.on("click", function () { openGrid(feature.properties.code); });
        },
      });
      if (gridLayer.getLayers().length) map.fitBounds(gridLayer.getBounds(), { padding: [12, 12], animate: false });
      gridLayer.addTo(map);
      heatLayer.bringToFront && heatLayer.eachLayer(function (l) { l.bringToFront(); });
      root.dataset.grids = String(gridLayer.getLayers().length);
      if (data) recolour();
    })
    .catch(function () { fail("网格边界加载失败，地图只显示热力点。"); });

  // --- charts ------------------------------------------------------------------------------------
  var charts = {};
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), "dark", { renderer: "canvas" });
    return charts[id];
  }
  var AXIS = { axisLabel: { color: "#c9d6ea" } };
  function base() { return { backgroundColor: "transparent", textStyle: { fontFamily: "inherit" }, animation: false }; }

  function drawTrend() {
    var t = data.trend;
    chart("cc-trend").setOption(Object.assign(base(), {
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: "#c9d6ea" } },
      grid: { left: 40, right: 44, top: 30, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: t.map(function (w) { return w.label; }) }, AXIS),
      yAxis: [Object.assign({ type: "value", name: "件" }, AXIS),
              Object.assign({ type: "value", name: "%", min: 0, max: 100 }, AXIS)],
      series: [
        { name: "上报", type: "bar", data: t.map(function (w) { return w.received; }), itemStyle: { color: "#4e9cff" } },
        { name: "已解决", type: "bar", data: t.map(function (w) { return w.resolved; }), itemStyle: { color: "#34c38f" } },
        { name: "超时", type: "line", data: t.map(function (w) { return w.overdue; }), itemStyle: { color: "#ff6b6b" } },
        { name: "满意率", type: "line", yAxisIndex: 1, smooth: true, itemStyle: { color: "#ffd166" },
          data: t.map(function (w) { return w.satisfaction_rate === null ? null : Math.round(w.satisfaction_rate * 1000) / 10; }) },
      ],
    }), true);
  }

  function drawChildren() {
    var c = data.children, rows = c.rows.filter(function (r) { return r.composite !== null; }).slice(0, 15).reverse();
    document.getElementById("cc-children-title").textContent = c.level ? "各" + c.level + "综合得分排名" : "下级排名";
    var ch = chart("cc-children");
    ch.setOption(Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 40, top: 8, bottom: 20 },
      xAxis: Object.assign({ type: "value", min: 0, max: 100 }, AXIS),
      yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name; }) }, AXIS),
      series: [{ type: "bar", data: rows.map(function (r) { return { value: Math.round(r.composite * 10000) / 100, url: r.url }; }),
        itemStyle: { color: "#4e9cff" }, label: { show: true, position: "right", color: "#fff" } }],
    }), true);
    ch.off("click");
    ch.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  }

  function drawCategories() {
    var rows = data.categories.slice().reverse();
    chart("cc-categories").setOption(Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 40, top: 8, bottom: 20 },
      xAxis: Object.assign({ type: "value" }, AXIS),
      yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name; }) }, AXIS),
      series: [{ type: "bar", data: rows.map(function (r) { return r.cases; }), itemStyle: { color: "#ffb000" },
        label: { show: true, position: "right", color: "#fff" } }],
    }), true);
  }

  // --- lists and tables --------------------------------------------------------------------------
  function drawLists() {
    var hot = data.hot, items = [];
    hot.monthly.forEach(function (m) {
      items.push('<li><span class="cc-tag">每月一题</span><a href="' + esc(m.url) + '">' + esc(m.title) + "</a> <small>" +
        esc(m.street) + " · " + esc(m.lead) + " · " + esc(m.status) + "</small></li>");
    });
    hot.rising.forEach(function (h) {
      items.push('<li><span class="cc-tag up">上升</span>' + esc(h.place) + " · " + esc(h.category) + " <small>本周 " + h.cases + " 件</small></li>");
    });
    document.getElementById("cc-hot").innerHTML = items.join("") || '<li class="muted">本周没有明显上升的问题</li>';
    document.getElementById("cc-alerts").innerHTML = data.alerts.map(function (a) {
      return '<li><a href="' + esc(a.url) + '">' + esc(a.title) + "</a> <small>" + esc(a.place) + " · " + esc(a.status) +
        (a.deadline ? " · 时限 " + esc(a.deadline) : "") + "</small>" + (a.supervised ? ' <span class="cc-tag bad">督办</span>' : "") + "</li>";
    }).join("") || '<li class="muted">没有超时或督办中的诉求</li>';
  }

  var TABLES = {
    grids: [["网格", "name"], ["社区", "community"], ["未办结", "open"], ["上报", "received"], ["超时", "overdue"],
            ["响应率", "response_rate"], ["解决率", "resolution_rate"], ["满意率", "satisfaction_rate"], ["综合得分", "composite"]],
    trend: [["受理周", "week"], ["上报", "received"], ["已解决", "resolved"], ["超时", "overdue"], ["满意率", "satisfaction_rate"]],
    children: [["排名", "rank"], ["名称", "name"], ["上报", "received"], ["超时", "overdue"], ["综合得分", "composite"], ["名次变化", "rank_change"]],
    categories: [["类别", "name"], ["件数", "cases"]],
    hot: [["区域", "place"], ["类别", "category"], ["本周件数", "cases"], ["上升得分", "score"]],
    alerts: [["编号", "code"], ["标题", "title"], ["位置", "place"], ["状态", "status"], ["时限", "deadline"]],
  };
  function rowsOf(name) {
    return { grids: data.grids, trend: data.trend, children: data.children.rows, categories: data.categories,
             hot: data.hot.rising, alerts: data.alerts }[name];
  }
  function drawTable(name) {
    var box = root.querySelector('.cc-table[data-for="' + name + '"]');
    if (!box || box.hidden) return;
    var cols = TABLES[name], rows = rowsOf(name);
    box.innerHTML = "<table><thead><tr>" + cols.map(function (c) { return "<th>" + c[0] + "</th>"; }).join("") +
      "</tr></thead><tbody>" + rows.map(function (r) {
        return "<tr>" + cols.map(function (c) { return "<td>" + esc(typeof r[c[1]] === "number" || r[c[1]] === null ? show(c[1], r[c[1]]) : r[c[1]]) + "</td>"; }).join("") + "</tr>";
      }).join("") + "</tbody></table>";
  }
  root.querySelectorAll(".cc-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = root.querySelector('.cc-table[data-for="' + button.dataset.table + '"]');
      box.hidden = !box.hidden;
      button.setAttribute("aria-expanded", String(!box.hidden));
      if (data) drawTable(button.dataset.table);
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });  // the card's chart gave room
    });
  });

  // --- loading -----------------------------------------------------------------------------------
  function fail(text) { errorBox.textContent = text; errorBox.hidden = false; }

  function draw() {
    root.querySelectorAll("[data-total]").forEach(function (el) {
      var key = el.dataset.total, v = data.totals[key];
      el.textContent = el.dataset.format === "pct" ? pct(v) : el.dataset.format === "score" ? score(v) : num(v);
    });
    root.querySelectorAll("[data-people]").forEach(function (el) { el.textContent = num(data.people[el.dataset.people]); });
    document.getElementById("cc-updated").textContent = data.updated_at.slice(11);
    recolour();
    drawHeat();
    drawTrend();
    drawChildren();
    drawCategories();
    drawLists();
    Object.keys(TABLES).forEach(drawTable);
  }

  function load() {
    var url = ds.dataUrl + (category.value ? "&category=" + encodeURIComponent(category.value) : "");
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) return r.json().then(function (e) { throw new Error(e.detail || r.status); });
        return r.json();
      })
      .then(function (d) {
        data = d;
        errorBox.hidden = true;
        draw();
        root.dataset.heat = String(d.heat.length);
        root.dataset.loads = String((parseInt(root.dataset.loads, 10) || 0) + 1);
      })
      .catch(function (e) {
        fail("数据刷新失败（" + e.message + "），" + Math.round(refresh / 1000) + " 秒后自动重试；页面上是上一次的数据。");
      });
  }

  metric.addEventListener("change", recolour);
  heatBox.addEventListener("change", drawHeat);
  category.addEventListener("change", load);
  document.getElementById("cc-fullscreen").addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen();
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    map.invalidateSize();
  });
  // for browser tests and the wall screen's own scripts: the map and the grid layer
  root.cc = { map: map, grids: function () { return gridLayer; }, openGrid: openGrid };
  load();
  setInterval(load, refresh);
})();
