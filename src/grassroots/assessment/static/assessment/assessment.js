/* The assessment pages: the composite-score bar chart (click a bar to drill down), sortable
   tables, and the running sum of the weights on the weights page. No dependencies but ECharts. */
(function () {
  "use strict";

  function esc(text) {  /* the tooltip is HTML: names are shown as typed, never as markup */
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function chart() {
    var el = document.getElementById("kpi-chart");
    var data = document.getElementById("kpi-chart-data");
    if (!el || !data || !window.echarts) return;
    var rows = JSON.parse(data.textContent);
    var names = rows.map(function (r) { return r.name; });
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var narrow = el.clientWidth < 520;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var r = rows[items[0].dataIndex];
          return esc(r.name) + "<br>" + esc(el.dataset.scoreLabel) + "：" + (r.score === null ? esc(el.dataset.noneLabel) : r.score.toFixed(2));
        }
      },
      xAxis: {
        type: "category", data: names,
        axisLabel: { interval: 0, rotate: names.length > 6 || narrow ? 35 : 0, width: 90, overflow: "truncate" }
      },
      yAxis: { type: "value", min: 0, max: 100, name: el.dataset.scoreLabel, nameTextStyle: { align: "left" } },
      series: [{
        type: "bar", barMaxWidth: 48,
        data: rows.map(function (r) { return r.score; }),
        itemStyle: { color: "#c8102e", borderRadius: [3, 3, 0, 0] },
        emphasis: { itemStyle: { color: "#8f0b21" } },
        label: {
          show: true, position: "top",
          formatter: function (p) { return p.value === null || p.value === undefined ? "" : p.value.toFixed(1); }
        },
        cursor: "pointer"
      }]
    });
    chart.on("click", function (p) {
      var r = rows[p.dataIndex];
      if (r && r.url) window.location.href = r.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "true";
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.dataset.type === "num";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > 1; });
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
          if (x === "" && y === "") return 0;
          if (x === "") return 1;  /* “—” always last */
          if (y === "") return -1;
          var d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-Hans-CN");
          return ascending ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }

  function weightSum() {
    var form = document.getElementById("weights-form");
    var out = document.getElementById("weight-sum");
    if (!form || !out) return;
    var names = ["response_weight", "resolution_weight", "satisfaction_weight"];
    function update() {
      var total = 0;
      names.forEach(function (n) { total += Math.round((parseFloat(form.elements[n].value) || 0) * 1000); });
      var ok = total === 1000;
      out.textContent = out.dataset.label + "：" + (total / 1000).toFixed(3) + (ok ? " ✓" : " " + out.dataset.bad);
      out.classList.toggle("bad", !ok);
    }
    names.forEach(function (n) { form.elements[n].addEventListener("input", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    chart();
    document.querySelectorAll("table.sortable").forEach(sortable);
    weightSum();
  });
})();
