// Bar chart of the ranking's totals, drawn as SVG from the JSON the page embeds. Progressive
// enhancement: without JavaScript the ranking table says the same. The value axis runs from 0
// (or the lowest negative total) to the first "round" value above the highest total — 1, 2 or
// 5 times a power of ten per step, four to six steps — so the bars fill the chart. Every text
// is set as text (names are user data), never as HTML.
(function () {
  "use strict";
  var holder = document.getElementById("totals-chart");
  var source = document.getElementById("totals-data");
  if (!holder || !source) { return; }
  var data = JSON.parse(source.textContent);
  var values = data.values || [];
  if (!values.length) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var lang = document.documentElement.lang || "vi";

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) { node.textContent = String(text); }
    return node;
  }
  function format(v) { return Number(v).toLocaleString(lang, { maximumFractionDigits: 2 }); }
  function niceStep(span) {
    var raw = span / 6, power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (raw <= steps[i] * power) { return steps[i] * power; } }
    return 10 * power;
  }

  var high = Math.max.apply(null, values.concat([0]));
  var low = Math.min.apply(null, values.concat([0]));
  var step = niceStep(high - low || 1);
  var top = Math.ceil(high / step) * step || step;
  var bottom = Math.floor(low / step) * step;
  var width = 720, height = 240, left = 48, right = 8, upper = 10, lower = 34;
  var plotH = height - upper - lower, plotW = width - left - right;
  function y(v) { return upper + plotH * (top - v) / (top - bottom); }

  var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img", width: "100%" });
  svg.appendChild(el("title", {}, data.name));
  for (var t = bottom; t <= top + step / 2; t += step) {
    svg.appendChild(el("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), class: "grid" }));
    svg.appendChild(el("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", class: "tick" }, format(t)));
  }
  var slot = plotW / values.length, bar = Math.min(slot * 0.6, 120);
  values.forEach(function (v, i) {
    var x = left + slot * i + (slot - bar) / 2;
    var r = el("rect", { x: x, width: bar, y: Math.min(y(v), y(0)), height: Math.abs(y(v) - y(0)), class: "bar" });
    r.appendChild(el("title", {}, data.labels[i] + ": " + format(v)));
    svg.appendChild(r);
    svg.appendChild(el("text", { x: x + bar / 2, y: height - lower + 16, "text-anchor": "middle", class: "label" }, data.labels[i]));
  });
  holder.appendChild(svg);
  holder.hidden = false;
})();
