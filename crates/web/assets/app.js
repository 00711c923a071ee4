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

// The header's groups of links: one open at a time, and a click elsewhere closes it.
document.addEventListener('click', (event) => {
  document.querySelectorAll('header.top details.more[open]').forEach((group) => {
    if (!group.contains(event.target)) group.open = false;
  });
});
