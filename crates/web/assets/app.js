// Asks again before an irreversible action: forms marked data-confirm.
document.addEventListener('submit', (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// Charts: each .chart element draws the JSON kept beside it (id + "-data"): a trend
// over `days`, or bars over `labels` when a series says `type: 'bar'`. Both axes show
// their lines and labels; bars carry their values, and many bars (a ranking of 31
// units) lie horizontally, one readable name a line.
window.addEventListener('DOMContentLoaded', () => {
  if (!window.echarts) return;
  document.querySelectorAll('.chart').forEach((element) => {
    const source = document.getElementById(`${element.id}-data`);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const labels = data.labels || data.days || [];
    const bars = data.series.some((s) => s.type === 'bar');
    const horizontal = bars && labels.length > 8;
    if (horizontal) element.style.height = `${Math.max(320, labels.length * 28 + 80)}px`;
    const category = {
      type: 'category',
      data: labels,
      inverse: horizontal,
      axisLine: { show: true },
      axisTick: { show: true },
      axisLabel: horizontal ? { interval: 0 } : { hideOverlap: true, rotate: bars ? 30 : 0 },
    };
    const value = { type: 'value', axisLine: { show: true }, axisLabel: { show: true } };
    const chart = window.echarts.init(element);
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { containLabel: true, left: 8, right: 48, top: 40, bottom: 8 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: data.series.map((s) => ({
        name: s.name,
        type: s.type || 'line',
        smooth: true,
        data: s.data,
        label: { show: s.type === 'bar', position: horizontal ? 'right' : 'top' },
      })),
    });
    element.dataset.drawn = data.series.reduce((n, s) => n + s.data.length, 0);
    element.dataset.horizontal = horizontal;
  });
});

// Print buttons on the print views; without script the browser's own print does it.
document.addEventListener('click', (event) => {
  if (event.target.closest && event.target.closest('[data-print]')) window.print();
});

// A search box beside a long select (data-filter names the select): typing hides the
// units whose names do not contain the words; one match left is chosen.
document.addEventListener('input', (event) => {
  const box = event.target;
  if (!box.dataset || !box.dataset.filter) return;
  const select = document.getElementById(box.dataset.filter);
  if (!select) return;
  const words = box.value.trim();
  const shown = [];
  select.querySelectorAll('option').forEach((option) => {
    option.hidden = words !== '' && !option.textContent.includes(words);
    if (!option.hidden) shown.push(option);
  });
  select.querySelectorAll('optgroup').forEach((group) => {
    group.hidden = !group.querySelector('option:not([hidden])');
  });
  if (words !== '' && shown.length === 1) select.value = shown[0].value;
});
