// The progression page's chart: for each start step, a stacked bar of where
// people ended the year. The flow table on the page has every number; the
// chart is a picture of it, drawn only when Chart.js has loaded. Suppressed
// cells arrive as null and are not drawn.
window.addEventListener("load", function () {
  var source = document.getElementById("progression-data");
  var canvas = document.getElementById("progression-chart");
  if (!window.Chart || !source || !canvas) return;
  var data = JSON.parse(source.textContent);
  var colours = ["#c9d6cf", "#9fbcae", "#6f9f88", "#2e7d5b", "#d98c00"];
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
      })
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, title: { display: true, text: canvas.dataset.axisLabel } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
      }
    }
  });
});
