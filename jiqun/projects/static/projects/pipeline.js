// The pipeline charts: projects by stage as stacked horizontal bars, one bar per cluster or region. Each chart's
// data is JSON in its element's data-values attribute: the page carries no inline script (CSP).
(function () {
  "use strict";
  function pipeline(element) {
    var d = element.dataset.values ? JSON.parse(element.dataset.values) : null;
    if (!d || !d.names.length) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 160, right: 30, top: 40, bottom: 20 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.names },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "stage", data: s.data, label: { show: false } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart='pipeline']").forEach(pipeline);
  });
})();
