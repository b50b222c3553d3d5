/* Hot problems: the bars of this week's counts against their baselines (list page) and one
   area's weekly series against its rolling baseline and alarm line (detail page). ECharts only. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id + "-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "true";
  }

  function bars() {
    var el = document.getElementById("hot-bars");
    var rows = data("hot-bars");
    if (!el || !rows || !window.echarts) return;
    var narrow = el.clientWidth < 520;
    draw(el, {
      animation: false,
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { interval: 0, rotate: rows.length > 4 || narrow ? 35 : 0, width: 110, overflow: "truncate" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.countLabel, type: "bar", barMaxWidth: 40, data: rows.map(function (r) { return r.count; }),
          itemStyle: { color: "#c8102e" } },
        { name: el.dataset.baselineLabel, type: "bar", barMaxWidth: 40, data: rows.map(function (r) { return r.baseline; }),
          itemStyle: { color: "#9aa5b1" } }
      ]
    });
  }

  function series() {
    var el = document.getElementById("hot-series");
    var d = data("hot-series");
    if (!el || !d || !window.echarts) return;
    draw(el, {
      animation: false,
      color: ["#c8102e", "#274b7a", "#8a4b00"],
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.weeks, axisLabel: { rotate: el.clientWidth < 520 ? 45 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.countLabel, type: "bar", barMaxWidth: 36, data: d.counts,
          itemStyle: { color: function (p) { return d.counts[p.dataIndex] >= d.thresholds[p.dataIndex] ? "#c8102e" : "#e8a0aa"; } } },
        { name: el.dataset.baselineLabel, type: "line", data: d.baselines, symbol: "circle", itemStyle: { color: "#274b7a" } },
        { name: el.dataset.thresholdLabel, type: "line", step: "middle", data: d.thresholds, symbol: "none",
          lineStyle: { type: "dashed", color: "#8a4b00" }, itemStyle: { color: "#8a4b00" } }
      ]
    });
  }

  bars();
  series();
})();
