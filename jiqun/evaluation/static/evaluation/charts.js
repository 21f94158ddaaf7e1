// The evaluation charts: ranking (horizontal bars with grades) and the radar of dimension scores. Each chart's
// data is JSON in its element's data-values attribute: the pages carry no inline script of any kind (CSP).
(function () {
  "use strict";
  function data(element) {
    return element.dataset.values ? JSON.parse(element.dataset.values) : null;
  }
  function ranking(element) {
    var d = data(element);
    if (!d || !d.names.length) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 140, right: 60, top: 10, bottom: 30 },
      tooltip: { trigger: "axis", formatter: function (p) {
        var i = p[0].dataIndex;
        // The tooltip is HTML: names and grades are text from the database, so they are escaped.
        var esc = echarts.format.encodeHTML;
        return esc(d.names[i]) + "<br>得分 " + d.scores[i].toFixed(2) + "（" + esc(d.grades[i]) + "）<br>第 " + d.ranks[i] +
          " 名，排名区间 " + d.intervals[i][0] + "–" + d.intervals[i][1];
      } },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", inverse: true, data: d.names },
      series: [{ type: "bar", data: d.scores, label: { show: true, position: "right", formatter: function (p) {
        return p.value.toFixed(1) + " " + d.grades[p.dataIndex];
      } } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function radar(element) {
    var d = data(element);
    if (!d || !d.indicators.length) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {},
      radar: { indicator: d.indicators, radius: "60%", center: ["50%", "55%"] },
      series: [{ type: "radar", data: [{ value: d.values, name: d.name, areaStyle: { opacity: 0.2 } }] }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.chart === "ranking") { ranking(element); }
      if (element.dataset.chart === "radar") { radar(element); }
    });
  });
})();
