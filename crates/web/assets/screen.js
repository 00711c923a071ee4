// The big screen: draws the figures the page came with, then asks for them again every
// data-refresh seconds and redraws in place, with the map. A failed refresh keeps the
// last figures and says they are stale.
(function () {
  'use strict';

  function at(data, path) {
    return path.split('.').reduce((v, k) => (v == null ? v : v[k]), data);
  }

  function shown(value, rate) {
    if (value == null) return '—';
    return rate ? (value * 100).toFixed(1) + '%' : String(value);
  }

  function list(el, items, line) {
    el.replaceChildren();
    if (!items.length) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = el.dataset.empty || '';
      el.append(li);
      return;
    }
    for (const item of items) el.append(line(item));
    // Only whole lines: what does not fit the panel is left off rather than cut.
    while (el.children.length > 1 && el.scrollHeight > el.clientHeight + 1) el.lastElementChild.remove();
  }

  function link(item) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '/work/requests/' + item.request_id;
    a.textContent = item.text;
    const due = document.createElement('span');
    due.className = 'due';
    due.textContent = item.due;
    li.append(a, due);
    return li;
  }

  let chart = null;

  function trend(data) {
    const el = document.getElementById('screen-trend');
    if (!el || typeof echarts === 'undefined') return;
    chart = chart || echarts.init(el, 'dark', { renderer: 'canvas' });
    chart.setOption({
      backgroundColor: 'transparent',
      textStyle: { fontSize: 18 },
      legend: { textStyle: { color: '#e8eef5', fontSize: 20 }, top: 0 },
      grid: { left: 60, right: 20, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: data.trend.days, axisLabel: { color: '#c9d6e3', fontSize: 16 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#c9d6e3', fontSize: 16 }, splitLine: { lineStyle: { color: '#2a3a4d' } } },
      series: [
        { name: el.dataset.intake, type: 'line', smooth: true, data: data.trend.intake, lineStyle: { width: 4 }, symbolSize: 6 },
        { name: el.dataset.resolved, type: 'line', smooth: true, data: data.trend.resolved, lineStyle: { width: 4 }, symbolSize: 6 },
      ],
    });
    el.setAttribute('data-drawn', String(data.trend.days.length));
  }

  function draw(data) {
    document.querySelectorAll('[data-figure]').forEach((b) => {
      const value = shown(at(data, b.dataset.figure), b.hasAttribute('data-rate'));
      if (b.textContent !== value) {
        b.textContent = value;
        b.classList.remove('changed');
        void b.offsetWidth;
        b.classList.add('changed');
      }
    });
    const words = document.getElementById('screen-ranking');
    list(words, data.ranking.slice(0, 10), (r) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = r.rank == null ? r.unit : r.rank + '. ' + r.unit;
      const score = document.createElement('b');
      score.textContent = r.composite_score == null ? words.dataset.little : r.composite_score.toFixed(1);
      if (r.composite_score == null) li.className = 'muted';
      li.append(name, score);
      return li;
    });
    list(document.getElementById('screen-overdue'), data.overdue, link);
    list(document.getElementById('screen-press'), data.press_orders, link);
    const hot = document.getElementById('screen-hot');
    list(hot, data.hot.slice(0, 6), (c) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = c.name || hot.dataset.none;
      const n = document.createElement('b');
      n.textContent = (hot.dataset.words || '{count}').replace('{count}', c.count).replace('{previous}', c.previous);
      li.append(name, n);
      return li;
    });
    document.getElementById('screen-updated').textContent = data.updated_at;
    document.getElementById('screen').setAttribute('data-intake-today', String(data.today_measures.intake));
    trend(data);
  }

  function clock() {
    const now = new Date();
    const two = (n) => String(n).padStart(2, '0');
    document.getElementById('screen-clock').textContent =
      now.getFullYear() + '-' + two(now.getMonth() + 1) + '-' + two(now.getDate()) + ' ' + two(now.getHours()) + ':' + two(now.getMinutes()) + ':' + two(now.getSeconds());
  }

  async function refresh(root) {
    const stale = document.getElementById('screen-stale');
    try {
      const response = await fetch(root.dataset.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
      stale.hidden = true;
    } catch (e) {
      stale.hidden = false;
    }
    const map = document.getElementById('map');
    if (map && map.gongzhiMap && map.gongzhiMap.refresh) map.gongzhiMap.refresh();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const root = document.getElementById('screen');
    if (!root) return;
    try {
      draw(JSON.parse(document.getElementById('screen-data').textContent));
    } catch (e) {
      // The first refresh draws it.
    }
    clock();
    setInterval(clock, 1000);
    const seconds = Math.max(5, Number(root.dataset.refresh) || 15);
    setInterval(() => refresh(root), seconds * 1000);
    window.addEventListener('resize', () => chart && chart.resize());
  });
})();
