// Bar chart of the ranking's totals, drawn from the JSON the page embeds. Progressive
// enhancement: without JavaScript the ranking table says the same.
(function () {
  "use strict";
  var holder = document.getElementById("totals-chart");
  var source = document.getElementById("totals-data");
  if (!holder || !source || !window.frappe) { return; }
  var data = JSON.parse(source.textContent);
  // The chart writes its tooltip title as HTML: unit names are text and must stay text.
  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }
  holder.hidden = false;
  new window.frappe.Chart(holder, {
    type: "bar",
    height: 220,
    animate: 0,
    colors: ["#dc3545"],
    data: { labels: data.labels, datasets: [{ name: data.name, values: data.values }] },
    axisOptions: { xAxisMode: "tick" },
    tooltipOptions: {
      formatTooltipX: escape,
      formatTooltipY: function (v) { return v == null ? "" : Number(v).toLocaleString(document.documentElement.lang); }
    }
  });
})();
