// Asks again before an irreversible action: forms marked data-confirm.
document.addEventListener('submit', (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// Charts: each .chart element draws the JSON kept beside it (id + "-data"): a trend
// over `days`, or bars over `labels` when a series says `type: 'bar'`.
window.addEventListener('DOMContentLoaded', () => {
  if (!window.echarts) return;
  document.querySelectorAll('.chart').forEach((element) => {
    const source = document.getElementById(`${element.id}-data`);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const chart = window.echarts.init(element);
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: data.labels || data.days, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value' },
      series: data.series.map((s) => ({ name: s.name, type: s.type || 'line', smooth: true, data: s.data })),
    });
    element.dataset.drawn = data.series.reduce((n, s) => n + s.data.length, 0);
  });
});

// Print buttons on the print views; without script the browser's own print does it.
document.addEventListener('click', (event) => {
  if (event.target.closest && event.target.closest('[data-print]')) window.print();
});
