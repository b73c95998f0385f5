/* Targets dashboard charts (ECharts, vendored). Data: #dashboard-data (json_script). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var pct = function (v) { return v === null || v === undefined ? data.no_data : (v * 100).toFixed(2) + "%"; };
  var num = function (v) { return v === null || v === undefined ? data.no_data : v.toLocaleString("zh-CN"); };
  var charts = [];
  function chart(el, option) {
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }
  document.querySelectorAll('[data-chart="trend"]').forEach(function (el) {
    var t = data.targets[Number(el.dataset.index)];
    var fmt = t.ratio ? pct : num;
    var series = [{ type: t.ratio ? "line" : "bar", data: t.trend, name: t.name, connectNulls: false }];
    if (t.target_value !== null) {
      series.push({ type: "line", name: t.target, data: t.years.map(function () { return t.target_value; }),
        symbol: "none", lineStyle: { type: "dashed", color: "#b3121b" } });
    }
    chart(el, {
      animation: false,
      grid: { left: 4, right: 4, top: 6, bottom: 18, containLabel: false },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { type: "category", data: t.years.map(String), axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", show: false, scale: t.ratio },
      series: series,
    });
  });
  var b = data.breakdown;
  document.querySelectorAll('[data-chart="breakdown"]').forEach(function (el) {
    chart(el, {
      animation: false,
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: b.ratio ? pct : num },
      xAxis: { type: "category", data: b.labels, axisLabel: { interval: 0, rotate: b.labels.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: b.ratio ? function (v) { return (v * 100).toFixed(0) + "%"; } : null } },
      series: [{ type: "bar", name: b.name, data: b.values, itemStyle: { color: "#0b4f9c" } }],
    });
  });
  var c = data.compare;
  document.querySelectorAll('[data-chart="compare"]').forEach(function (el) {
    chart(el, {
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: pct },
      xAxis: { type: "category", data: c.indicators, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return (v * 100).toFixed(0) + "%"; } } },
      series: c.groups.map(function (g, i) {
        return { type: "bar", name: g, data: c.values.map(function (row) { return row[i]; }) };
      }),
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
})();
