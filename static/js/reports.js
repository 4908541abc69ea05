// The reports page: draws each table's chart from the same numbers (sent as JSON in
// the page; the tables are drawn by the server). No socket: a report does not move.
/* global Chart */

const COLOURS = ["#1f6feb", "#b35900", "#2e7d32", "#8e24aa"];

function draw(name, chart) {
  const canvas = document.getElementById(`chart-${name}`);
  if (!canvas) return;
  new Chart(canvas, {
    type: chart.type,
    data: {
      labels: chart.labels,
      datasets: chart.datasets.map((set, n) => ({
        ...set,
        backgroundColor: COLOURS[n % COLOURS.length],
        borderColor: COLOURS[n % COLOURS.length],
      })),
    },
    options: {
      animation: false, // drawn once, and printed as drawn
      maintainAspectRatio: false,
      plugins: { legend: { display: chart.datasets.length > 1 } },
      scales: { y: { beginAtZero: true } },
    },
  });
  canvas.dataset.drawn = "true";
}

const charts = JSON.parse(document.getElementById("report-charts").textContent);
for (const [name, chart] of Object.entries(charts)) draw(name, chart);

// The custom days only matter for the custom range, the month only for a month.
const form = document.querySelector(".report-filters");
function showFields() {
  const range = form.elements.range.value;
  form.elements.month.closest("label").hidden = range !== "month";
  for (const name of ["from", "to"]) form.elements[name].closest("label").hidden = range !== "custom";
}
form.elements.range.addEventListener("change", showFields);
showFields();
