// The dashboards' charts. Each <div data-jchart> carries its chart as JSON (jiqun.dashboards.charts.Chart): the
// pages have no inline script (CSP). Other files add kinds with jiqunCharts.register(kind, draw) before the page
// has loaded (dashboards/map.js adds "map"). A click on a category with a link opens it; "下载图片" saves the drawn
// chart as PNG. Text from the database (names) is escaped wherever it goes into HTML (tooltips).
(function () {
  "use strict";
  var drawers = {};
  var esc = function (text) { return echarts.format.encodeHTML(String(text)); };
  function number(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    var text = Math.abs(value) >= 100 ? value.toLocaleString("zh-CN", { maximumFractionDigits: 2 })
      : value.toLocaleString("zh-CN", { maximumFractionDigits: 4 });
    return unit ? text + " " + unit : text;
  }
  function tooltip(d) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var head = esc(list[0].name);
      return head + list.map(function (p) {
        var s = d.series[p.seriesIndex] || {};
        var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        return "<br>" + p.marker + esc(p.seriesName || "") + " " + esc(number(v, s.unit));
      }).join("");
    };
  }
  function axes(d, horizontal) {
    var category = { type: "category", data: d.categories, axisLabel: { interval: 0, rotate: horizontal ? 0 : (d.categories.length > 8 ? 30 : 0) } };
    var value = { type: "value", name: d.unit || "" };
    return horizontal ? { xAxis: value, yAxis: Object.assign(category, { inverse: true }) } : { xAxis: category, yAxis: value };
  }
  function cartesian(d, chart) {
    var horizontal = d.kind === "hbar";
    var type = d.kind === "line" ? "line" : "bar";
    var option = Object.assign({
      animation: false,
      legend: { show: d.series.length > 1, top: 0 },
      grid: { left: horizontal ? 150 : 60, right: 30, top: d.series.length > 1 ? 30 : 20, bottom: 60, containLabel: false },
      tooltip: { trigger: "axis", formatter: tooltip(d) },
      series: d.series.map(function (s) {
        return { name: s.name, type: type, data: s.values, stack: d.kind === "stack" ? "all" : undefined,
                 connectNulls: false, label: { show: d.series.length === 1 && d.categories.length <= 12 && type === "bar",
                 position: horizontal ? "right" : "top", formatter: function (p) { return number(p.value); } } };
      })
    }, axes(d, horizontal));
    chart.setOption(option);
  }
  function pie(d, chart) {
    var s = d.series[0];
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "<br>" + esc(number(p.value, s.unit)) + "（" + p.percent + "%）"; } },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: d.kind === "funnel" ? "funnel" : "pie", radius: d.kind === "pie" ? ["35%", "65%"] : undefined,
                 sort: d.kind === "funnel" ? "none" : undefined, top: 10, bottom: 40,
                 data: d.categories.map(function (name, i) { return { name: name, value: s.values[i] }; }),
                 label: { formatter: function (p) { return p.name + " " + number(p.value); } } }]
    });
  }
  function radar(d, chart) {
    var max = (d.extra && d.extra.max) || 100;
    chart.setOption({
      animation: false,
      tooltip: {},
      legend: { show: d.series.length > 1, bottom: 0 },
      radar: { indicator: d.categories.map(function (name) { return { name: name, max: max }; }), radius: "60%" },
      series: [{ type: "radar", data: d.series.map(function (s) { return { name: s.name, value: s.values, areaStyle: { opacity: 0.15 } }; }) }]
    });
  }
  drawers.bar = drawers.hbar = drawers.stack = drawers.line = cartesian;
  drawers.pie = drawers.funnel = pie;
  drawers.radar = radar;

  function draw(element) {
    var d = JSON.parse(element.dataset.jchart);
    var drawer = drawers[d.kind];
    if (!drawer) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    drawer(d, chart, element);
    chart.on("click", function (p) {
      var i = d.categories.indexOf(p.name);
      var link = i >= 0 && d.links ? d.links[i] : null;
      if (link) { window.location.href = link; }
    });
    element.jiqunChart = chart;
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function saveImage(button) {
    var element = document.getElementById(button.dataset.chartImage);
    if (!element || !element.jiqunChart) { return; }
    var link = document.createElement("a");
    link.href = element.jiqunChart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = (button.dataset.filename || "chart") + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  window.jiqunCharts = {
    register: function (kind, drawer) { drawers[kind] = drawer; },
    number: number,
    escape: function (text) { return esc(text); }
  };
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-jchart]").forEach(draw);
    document.querySelectorAll("[data-chart-image]").forEach(function (button) {
      button.addEventListener("click", function () { saveImage(button); });
    });
  });
})();
