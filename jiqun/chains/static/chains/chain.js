// The chain page's charts: the chain map (an ECharts tree, left to right: the chain, 上游/中游/下游, then its
// segments coloured by rating, 延链 grey and dashed) and the local supporting rate's trend. Each chart's data is
// JSON in its element's data-values attribute: the page carries no inline script (CSP). Clicking a segment
// loads its panel (an htmx partial) into #segment-panel.
(function () {
  "use strict";
  var COLOURS = { strong: "#2e7d32", weak: "#f0a202", missing: "#c62828", extension: "#9e9e9e" };

  function styled(node) {
    var out = { name: node.name, value: node.id || null, url: node.url || "", collapsed: false };
    if (node.position) {
      out.itemStyle = { color: "#475569", borderColor: "#475569" };
      out.label = { fontWeight: "bold" };
    } else if (node.id) {
      var grey = node.need === "extend";
      var colour = grey ? COLOURS.extension : (COLOURS[node.rating] || "#999");
      out.itemStyle = { color: colour, borderColor: colour, borderType: node.extension ? "dashed" : "solid",
                        borderWidth: node.extension ? 2 : 1 };
      if (grey) { out.itemStyle.color = "#e5e7eb"; out.itemStyle.borderColor = "#6b7280"; }
      out.symbol = "circle";
      out.lineStyle = node.extension ? { type: "dashed" } : undefined;
      // A string formatter is HTML: the segment's name is user text, so it is escaped (and its braces are
      // not read as ECharts placeholders, the function form taking it as it is).
      var tip = echarts.format.encodeHTML(node.name + (node.ratingLabel ? "：" + node.ratingLabel : ""));
      out.tooltip = { formatter: function () { return tip; } };
    }
    out.children = (node.children || []).map(styled);
    return out;
  }

  function chainMap(element) {
    var d = element.dataset.values ? JSON.parse(element.dataset.values) : null;
    if (!d) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [{
        type: "tree", data: [styled(d)], orient: "LR", top: 20, bottom: 20, left: 190, right: 220,
        symbolSize: 14, initialTreeDepth: -1, expandAndCollapse: false, roam: false,
        // A node with children has its name above it: on its left the incoming branch would run through the
        // name and take the click meant for the segment.
        label: { position: "top", verticalAlign: "bottom", align: "center", distance: 6, fontSize: 13 },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } },
        lineStyle: { color: "#cbd5e1", width: 1.5 }
      }]
    });
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url && window.htmx) {
        window.htmx.ajax("GET", url, { target: "#segment-panel", swap: "innerHTML" });
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.ready = "1";
  }

  function trend(element) {
    var d = element.dataset.values ? JSON.parse(element.dataset.values) : null;
    if (!d || !d.years.length) { element.hidden = true; return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    var series = [{ name: d.rateLabel, type: "line", data: d.rates, label: { show: true, formatter: "{c}%" } }];
    if (d.target !== null) {
      series[0].markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#c62828" },
                             label: { position: "insideEndTop", formatter: d.targetLabel + " {c}%" }, data: [{ yAxis: d.target }] };
    }
    chart.setOption({
      animation: false, grid: { left: 40, right: 20, top: 20, bottom: 30 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.years }, yAxis: { type: "value", min: 0, max: 100 }, series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart='chain-map']").forEach(chainMap);
    document.querySelectorAll("[data-chart='chain-trend']").forEach(trend);
  });
})();
