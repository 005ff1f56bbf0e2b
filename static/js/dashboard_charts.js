// The secretariat dashboard's two charts. The tables on the page have every
// number; the charts are a picture of them, drawn only when Chart.js has
// loaded. The numbers come from the "chart-data" JSON island and the series
// names (translated) from the canvases' data-label-* attributes.
window.addEventListener("load", function () {
  var source = document.getElementById("chart-data");
  var targets = document.getElementById("targets-chart");
  var monthly = document.getElementById("monthly-chart");
  if (!window.Chart || !source || !targets || !monthly) return;
  var data = JSON.parse(source.textContent);
  new Chart(targets, {
    type: "bar",
    data: { labels: data.labels, datasets: [
      { label: targets.dataset.labelTarget, data: data.targets, backgroundColor: "#b8c7bf" },
      { label: targets.dataset.labelActual, data: data.actuals, backgroundColor: "#2e7d5b" }
    ] },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false }
  });
  // Month names as in the table's header (「4月」, "April"), not the raw 2026-04 of the data.
  var months = Array.prototype.map.call(
    document.querySelectorAll("#monthly-table thead th.num"),
    function (th) { return th.textContent; }
  );
  new Chart(monthly, {
    type: "bar",
    data: { labels: months, datasets: [
      { label: monthly.dataset.labelDays, data: data.ue_days, backgroundColor: "#2e7d5b" },
      { label: monthly.dataset.labelPersonDays, data: data.ue_person_days, backgroundColor: "#d98c00" }
    ] },
    options: { responsive: true, maintainAspectRatio: false }
  });
});
