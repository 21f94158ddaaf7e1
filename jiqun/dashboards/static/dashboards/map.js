// Kind "map" for dashboards/charts.js: a choropleth of one value per region, optionally with points (parks).
// The chart's JSON (jiqun.dashboards.charts.Chart) gives categories (region names as the map file names them),
// series[0] (one value per region; null = 无数据, drawn grey), links (per region: the page a click opens) and
// extra: {map: "shandong", map_url: "/dashboards/maps/shandong.json" (served by this server, never the
// internet), label: "示意图", source, no_data, points_name, points: [{name, value: [lng, lat, v], link}]}.
// The label ("示意图", or the 审图号 of the department's own map, read from the file's top-level "jiqun" member)
// and the map's source are written in the lower left corner. When the map cannot be had (no file, a bad
// file, a region missing from it) the same numbers are drawn as bars.
(function () {
  "use strict";
  var loaded = {};  // map_url -> Promise of the GeoJSON (fetched once a page)

  function esc(text) { return window.jiqunCharts.escape(text); }
  function number(value, unit) { return window.jiqunCharts.number(value, unit); }

  function fetchMap(url) {
    if (!loaded[url]) {
      loaded[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("map " + url + ": HTTP " + response.status); }
          return response.json();
        })
        .then(function (geo) {
          if (!geo || geo.type !== "FeatureCollection" || !Array.isArray(geo.features)) { throw new Error("map " + url + ": not a FeatureCollection"); }
          return geo;
        });
    }
    return loaded[url];
  }

  function bars(d, chart, element, reason) {
    var s = d.series[0] || { values: [], unit: d.unit };
    if (window.console && reason) { window.console.warn("jiqun map: drawn as bars:", reason); }
    element.dataset.mapFallback = "bars";
    chart.clear();
    chart.setOption({
      animation: false,
      grid: { left: 90, right: 40, top: 20, bottom: 30 },
      tooltip: { trigger: "axis", formatter: function (params) {
        var p = params[0];
        return esc(p.name) + "<br>" + esc(s.name || "") + " " + esc(number(p.value, s.unit));
      } },
      xAxis: { type: "value", name: d.unit || "" },
      yAxis: { type: "category", data: d.categories, inverse: true, axisLabel: { interval: 0 } },
      series: [{ type: "bar", name: s.name, data: s.values,
                 label: { show: true, position: "right", formatter: function (p) { return number(p.value); } } }]
    });
  }

  function range(values) {
    var present = values.filter(function (v) { return v !== null && v !== undefined; });
    if (!present.length) { return [0, 1]; }
    var min = Math.min.apply(null, present), max = Math.max.apply(null, present);
    return [Math.min(0, min), max > min ? max : min + 1];
  }

  function choropleth(d, chart, element, geo) {
    var extra = d.extra || {};
    var mapName = "jiqun-" + (extra.map || "map");
    var names = {};
    geo.features.forEach(function (f) { if (f && f.properties && f.properties.name) { names[f.properties.name] = true; } });
    var missing = d.categories.filter(function (name) { return !names[name]; });
    if (missing.length) { bars(d, chart, element, "regions missing from the map: " + missing.join(", ")); return; }
    echarts.registerMap(mapName, geo);
    var meta = geo.jiqun || {};
    var label = String(meta.label || extra.label || "");
    var source = String(meta.source || extra.source || "");
    var s = d.series[0];
    var bounds = range(s.values);
    var data = d.categories.map(function (name, i) {
      var v = s.values[i];
      return v === null || v === undefined ? { name: name, value: null, itemStyle: { areaColor: "#e0e0e0" } } : { name: name, value: v };
    });
    var points = Array.isArray(extra.points) ? extra.points : [];
    var series = [{
      type: "map", name: s.name, map: mapName, roam: false, selectedMode: false, data: data,
      label: { show: true, fontSize: 11, color: "#333" },
      emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd27f" } },
      itemStyle: { borderColor: "#fff", borderWidth: 1 }
    }];
    var option = {
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.seriesType === "map") {
          var v = p.data ? p.data.value : null;
          return esc(p.name) + "<br>" + esc(s.name || "") + " " + (v === null || v === undefined ? esc(extra.no_data || "—") : esc(number(v, s.unit)));
        }
        var value = p.value || [];
        return esc(extra.points_name || "") + " " + esc(p.name) + (value.length > 2 && value[2] !== null ? "<br>" + esc(s.name || "") + " " + esc(number(value[2], s.unit)) : "");
      } },
      visualMap: { type: "continuous", min: bounds[0], max: bounds[1], seriesIndex: 0, calculable: false,
                   left: 10, top: 10, text: [String(bounds[1]), String(bounds[0])], realtime: false,
                   inRange: { color: ["#e3f0fb", "#7fb3e0", "#1f5fa8"] }, outOfRange: { color: "#e0e0e0" } },
      geo: points.length ? { map: mapName, roam: false, silent: true, itemStyle: { areaColor: "transparent", borderColor: "transparent" } } : undefined,
      graphic: [{ type: "text", left: 10, bottom: 8, silent: true,
                  style: { text: label + (source ? "  " + source : ""), fill: "#666", font: "12px sans-serif" } }],
      series: series
    };
    if (points.length) {
      // The map series and the geo component share the map's layout, so points land where the regions are.
      series[0].geoIndex = 0;
      option.geo.itemStyle = { borderColor: "#fff", borderWidth: 1 };
      option.geo.label = { show: true, fontSize: 11, color: "#333" };
      option.geo.silent = false;
      option.geo.emphasis = { label: { show: true }, itemStyle: { areaColor: "#ffd27f" } };
      series.push({ type: "effectScatter", name: extra.points_name || "", coordinateSystem: "geo", zlevel: 1,
                    symbolSize: 8, rippleEffect: { scale: 2.5, brushType: "stroke" }, itemStyle: { color: "#d9480f" },
                    data: points.map(function (pt) { return { name: pt.name, value: pt.value, link: pt.link || null }; }) });
    }
    chart.clear();
    chart.setOption(option);
    element.dataset.mapLabel = label;
    element.dataset.mapDrawn = "map";
  }

  function draw(d, chart, element) {
    var extra = d.extra || {};
    chart.on("click", function (p) {
      if (p.seriesType === "effectScatter" && p.data && p.data.link) { window.location.href = p.data.link; }
    });
    if (!extra.map_url || typeof fetch !== "function") { bars(d, chart, element, "no map_url"); return; }
    chart.showLoading("default", { text: "" });
    fetchMap(extra.map_url).then(function (geo) {
      chart.hideLoading();
      try { choropleth(d, chart, element, geo); } catch (err) { bars(d, chart, element, err); }
    }, function (err) {
      chart.hideLoading();
      bars(d, chart, element, err);
    });
  }

  window.jiqunCharts.register("map", draw);
})();
