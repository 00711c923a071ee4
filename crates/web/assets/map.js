// The maps (Leaflet): the leaders' map and the big screen's (open requests in view,
// clustered by the server), the request page's (where it is) and the intake desk's (a
// pin that fills the latitude and longitude fields, and follows them when typed).
// Base tiles come only from the tile server the deployment configured (data-tiles);
// without one the points sit on a plain grid.
(function () {
  'use strict';

  const DEFAULT_CENTRE = [35, 105];
  const DEFAULT_ZOOM = 4;
  const WORLD = '-180,-85,180,85';

  /** A plain grid instead of a base map: nothing is fetched from anywhere. */
  const Grid = L.GridLayer.extend({
    createTile: function () {
      const tile = document.createElement('canvas');
      tile.width = tile.height = 256;
      const g = tile.getContext('2d');
      g.strokeStyle = this.options.dark ? 'rgba(120,160,200,0.25)' : 'rgba(60,90,120,0.18)';
      g.lineWidth = 1;
      g.strokeRect(0.5, 0.5, 256, 256);
      return tile;
    },
  });

  function baseMap(el, options) {
    const map = L.map(el, Object.assign({ worldCopyJump: true, minZoom: 2, maxZoom: 19 }, options || {}));
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || '', maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add('no-tiles');
      new Grid({ dark: !!el.dataset.dark }).addTo(map);
      map.attributionControl.setPrefix('');
    }
    if (el.dataset.tiles) map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    return map;
  }

  function stateClass(point) {
    if (point.overdue) return 'overdue';
    if (point.status === 'submitted' || point.status === 'pending_dispatch') return 'waiting';
    return point.status;
  }

  const COLOURS = { overdue: '#d62728', waiting: '#7f8c9a', dispatched: '#e69500', in_progress: '#1f6fd1' };

  function words() {
    const block = document.getElementById('map-words');
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function fill(text, values) {
    return String(text || '').replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ''));
  }

  function pointsUrl(el, map, bbox, zoom) {
    const params = new URLSearchParams({ bbox: bbox, zoom: String(zoom) });
    const filters = document.getElementById('map-filters');
    if (filters) {
      for (const [k, v] of new FormData(filters)) if (v) params.set(k, v);
    }
    return el.dataset.points + '?' + params.toString();
  }

  function viewBox(map) {
    const b = map.getBounds();
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    return [
      clamp(b.getWest(), -180, 180),
      clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90),
    ].map((v) => v.toFixed(5)).join(',');
  }

  /** The box a cluster's requests lie in, or a point's spot. */
  function boxOf(item) {
    if (!item.bounds) return L.latLngBounds([[item.lat, item.long], [item.lat, item.long]]);
    const [west, south, east, north] = item.bounds;
    return L.latLngBounds([[south, west], [north, east]]);
  }

  /** Shows everything in a view: the first sight of a scope. */
  function fitTo(map, view) {
    if (!view.items.length) return map.setView(DEFAULT_CENTRE, DEFAULT_ZOOM);
    const box = view.items.map(boxOf).reduce((all, b) => all.extend(b));
    map.fitBounds(box.pad(0.1), { maxZoom: 16, animate: false });
  }

  /** A click on a cluster: to where its requests are, at least two steps closer. */
  function zoomTo(map, item) {
    const box = boxOf(item);
    const zoom = Math.min(Math.max(map.getBoundsZoom(box.pad(0.1)), map.getZoom() + 2), 19);
    map.setView(box.getCenter(), zoom);
  }

  async function fetchView(url) {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  /** Open requests in view: clusters or points, redrawn on every move and filter change. */
  function browse(el) {
    const w = words();
    const map = baseMap(el);
    const layer = L.layerGroup().addTo(map);
    const status = document.getElementById('map-status');
    let asked = 0;

    function draw(view) {
      layer.clearLayers();
      el.dataset.kind = view.kind;
      el.dataset.count = String(view.items.length);
      let requests = 0;
      for (const item of view.items) {
        if (view.kind === 'clusters') {
          requests += item.count;
          const size = Math.round(28 + Math.min(40, Math.log10(item.count + 1) * 14));
          const icon = L.divIcon({
            className: 'map-cluster' + (item.overdue > 0 ? ' has-overdue' : ''),
            html: '<span>' + Number(item.count) + '</span>',
            iconSize: [size, size],
          });
          const marker = L.marker([item.lat, item.long], { icon: icon, keyboard: true, title: fill(w.cluster, { n: item.count, overdue: item.overdue }) });
          marker.on('click', () => zoomTo(map, item));
          marker.addTo(layer);
        } else {
          requests += 1;
          const look = stateClass(item);
          const marker = L.circleMarker([item.lat, item.long], {
            radius: 9, weight: 2, color: '#fff', fillColor: COLOURS[look] || COLOURS.waiting, fillOpacity: 0.95,
            className: 'map-point ' + look,
          });
          const tip = document.createElement('div');
          const head = document.createElement('b');
          head.textContent = item.number + ' · ' + ((w.states || {})[item.status] || item.status) + (item.overdue ? ' · ' + (w.overdue || '') : '');
          const title = document.createElement('div');
          title.textContent = item.title;
          const hint = document.createElement('small');
          hint.textContent = w.open || '';
          tip.append(head, title, hint);
          marker.bindTooltip(tip);
          marker.on('click', () => { window.location.href = '/work/requests/' + item.id; });
          marker.addTo(layer);
          const path = marker.getElement();
          if (path) path.setAttribute('data-id', String(item.id));
        }
      }
      if (status) {
        const said = requests === 0 ? w.shown_none : view.kind === 'clusters' ? w.shown_clusters : w.shown_points;
        status.textContent = fill(said, { n: requests, groups: view.items.length });
      }
      el.dataset.requests = String(requests);
      el.setAttribute('data-drawn', String(Date.now()));
    }

    async function refresh() {
      const mine = ++asked;
      try {
        const view = await fetchView(pointsUrl(el, map, viewBox(map), map.getZoom()));
        if (mine === asked) draw(view);
      } catch (e) {
        if (status) status.textContent = w.failed || '';
      }
    }

    /** First the whole scope, coarsely, to find where its requests are; then the view. */
    async function start() {
      try {
        const view = await fetchView(pointsUrl(el, map, WORLD, 2));
        fitTo(map, view);
      } catch (e) {
        map.setView(DEFAULT_CENTRE, DEFAULT_ZOOM);
      }
      map.on('moveend', refresh);
      await refresh();
    }

    const filters = document.getElementById('map-filters');
    if (filters) {
      filters.addEventListener('change', refresh);
      filters.addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
    }
    start();
    return { map: map, refresh: refresh };
  }

  /** Where one request is. */
  function show(el) {
    const at = [Number(el.dataset.lat), Number(el.dataset.long)];
    const map = baseMap(el, { minZoom: 3 });
    map.setView(at, 16);
    L.circleMarker(at, { radius: 10, weight: 3, color: '#fff', fillColor: COLOURS.overdue, fillOpacity: 0.95, className: 'map-point here' }).addTo(map);
    el.setAttribute('data-drawn', '1');
    return { map: map };
  }

  function parsed(input, limit) {
    const text = (input.value || '').trim();
    if (text === '') return null;
    const n = Number(text);
    return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
  }

  /** The intake desk's pin: a click sets the fields, typed coordinates move the pin. */
  function pin(el) {
    const lat = document.getElementById(el.dataset.lat);
    const long = document.getElementById(el.dataset.long);
    const map = baseMap(el);
    let marker = null;

    function place(at, pan) {
      if (!marker) {
        marker = L.circleMarker(at, { radius: 10, weight: 3, color: '#fff', fillColor: COLOURS.overdue, fillOpacity: 0.95, className: 'map-point pin' }).addTo(map);
      } else {
        marker.setLatLng(at);
      }
      if (pan) map.panTo(at);
      el.dataset.pin = at[0].toFixed(6) + ',' + at[1].toFixed(6);
    }

    function fromFields() {
      const a = parsed(lat, 90);
      const b = parsed(long, 180);
      if (a !== null && b !== null) {
        place([a, b], true);
      } else if (marker && lat.value.trim() === '' && long.value.trim() === '') {
        map.removeLayer(marker);
        marker = null;
        delete el.dataset.pin;
      }
    }

    map.on('click', (e) => {
      const at = e.latlng.wrap();
      lat.value = at.lat.toFixed(6);
      long.value = at.lng.toFixed(6);
      place([at.lat, at.lng], false);
    });
    lat.addEventListener('input', fromFields);
    long.addEventListener('input', fromFields);

    const a = parsed(lat, 90);
    const b = parsed(long, 180);
    if (a !== null && b !== null) {
      map.setView([a, b], 16);
      place([a, b], false);
    } else if (el.dataset.points) {
      // Centre on where the desk's requests are.
      fetchView(el.dataset.points + '?bbox=' + WORLD + '&zoom=2')
        .then((view) => fitTo(map, view))
        .catch(() => map.setView(DEFAULT_CENTRE, DEFAULT_ZOOM));
    } else {
      map.setView(DEFAULT_CENTRE, DEFAULT_ZOOM);
    }
    el.setAttribute('data-drawn', '1');
    return { map: map };
  }

  function mount(el) {
    if (el.gongzhiMap || typeof L === 'undefined') return el.gongzhiMap;
    const kind = el.dataset.map || 'browse';
    el.gongzhiMap = kind === 'show' ? show(el) : kind === 'pin' ? pin(el) : browse(el);
    return el.gongzhiMap;
  }

  window.GongzhiMap = { mount: mount };
  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('.map[data-map], #map').forEach(mount);
  });
})();
