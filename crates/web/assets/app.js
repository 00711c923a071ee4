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

// Copy buttons: shown only where the browser can copy; without script the code is
// plain selectable text.
window.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-copy]').forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = document.getElementById(button.dataset.copy).textContent.trim();
      const done = document.getElementById('copy-done');
      try {
        await navigator.clipboard.writeText(text);
        if (done) done.textContent = button.dataset.copied;
      } catch (_) {
        window.getSelection().selectAllChildren(document.getElementById(button.dataset.copy));
      }
    });
  });
});

// The category box: whatever is typed — a name or a word people use (噪音, 井盖) — lists
// the categories it fits; a tap fills in the whole path.
window.addEventListener('DOMContentLoaded', () => {
  const input = document.getElementById('category');
  const source = document.getElementById('category-data');
  const list = document.getElementById('category-matches');
  if (!input || !source || !list) return;
  const entries = JSON.parse(source.textContent);
  const show = () => {
    const typed = input.value.trim();
    list.replaceChildren();
    if (!typed || entries.some((e) => e.path === typed)) { list.hidden = true; return; }
    const found = entries.filter((e) => e.path.includes(typed)
      || e.words.some((w) => w.includes(typed) || typed.includes(w))).slice(0, 8);
    found.forEach((entry) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'match';
      button.textContent = entry.path;
      if (entry.words.length) {
        const words = document.createElement('small');
        words.textContent = entry.words.slice(0, 6).join('、');
        button.append(words);
      }
      button.addEventListener('click', () => { input.value = entry.path; list.hidden = true; input.focus(); });
      item.append(button);
      list.append(item);
    });
    list.hidden = found.length === 0;
  };
  input.addEventListener('input', show);
});
