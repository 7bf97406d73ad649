// The metrics-manager dashboard: panels from visualize.yaml (filled into index.html by the
// server) or ?panel=QUERY&panel=..., charts by uPlot, data from the Prometheus API
// (/api/v1/query_range) and live points pushed by the server over server-sent events
// (/api/v1/stream). Plain ES module, no build step.
//
// The first data requests are already under way when this runs (index.html's boot script,
// window.mmBoot); uPlot is imported dynamically, so each panel draws as soon as both its data
// and uPlot are there (index.html preloads it).
const boot = window.mmBoot;
let uPlot = null;
const uPlotReady = boot.uPlot.then((m) => { uPlot = m.default; });
const { RANGES, TARGET_POINTS } = boot;
const STREAM_STEPS = 3;             // steps each live event repeats
const PALETTE_LIGHT = ['#2b6cb0', '#dd6b20', '#2f855a', '#c53030', '#6b46c1', '#b7791f', '#00838f', '#d53f8c'];
const PALETTE_DARK = ['#63b3ed', '#f6ad55', '#68d391', '#fc8181', '#b794f4', '#f6e05e', '#4fd1c5', '#f687b3'];

const $ = (sel) => document.querySelector(sel);
const state = {
  panels: [],          // {id, title, queries, unit, yMin, yMax, stacked, removable, series, edge, el, chart}
  range: '1h',
  view: null,          // null: live (the last `range` seconds); else {min, max} in seconds
  source: null,        // EventSource
  streamMap: [],       // stream result index → [panel, query index]
  nextId: 1,
  ready: false,
};

// ---------- small helpers ----------

function step() {
  const span = state.view ? state.view.max - state.view.min : RANGES[state.range];
  return Math.max(1, Math.ceil(span / TARGET_POINTS));
}

function setStatus(text) { $('#status').textContent = text; }

function showError(text) {
  const box = $('#errors');
  if (box.textContent !== text) box.textContent = text;
}

// GET path?params as JSON; an API error (status "error") throws its message.
async function api(path, params) {
  return parseApi(path, await fetch(`${path}?${new URLSearchParams(params)}`,
    { headers: { Accept: 'application/json' } }));
}

// The JSON body of a fetch response of `path`.
async function parseApi(path, res) {
  let body;
  try { body = await res.json(); } catch { throw new Error(`${path}: HTTP ${res.status}`); }
  if (body.status === 'error') throw new Error(body.error || `${path}: HTTP ${res.status}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return body;
}

// What a query is about, for legends of results without a name: `rate(net_bytes_recv[1m])`
// → net_bytes_recv.
function queryName(query) {
  const m = /([a-zA-Z_:][\w:]*)\s*[[{]/.exec(query) || /^\s*([a-zA-Z_:][\w:]*)\s*$/.exec(query);
  return m ? m[1] : query;
}

function labelText(labels, query) {
  const name = labels.__name__ || queryName(query);
  const rest = Object.keys(labels).filter((k) => k !== '__name__').sort()
    .map((k) => `${k}="${labels[k]}"`).join(', ');
  if (!name && !rest) return query;
  return rest ? `${name}{${rest}}` : name;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BIN = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
const UNIT_ALIASES = { '%': 'percent', B: 'bytes', 'B/s': 'bytes/s', seconds: 's' };
function formatValue(v, unit) {
  unit = UNIT_ALIASES[unit] || unit;
  if (v == null || Number.isNaN(v)) return '–';
  if (unit === 'percent') return `${+v.toFixed(v < 10 ? 2 : 1)}%`;
  const bytes = unit === 'bytes' || unit === 'bytes/s';
  const base = bytes ? 1024 : 1000;
  const names = bytes ? BIN : SI;
  let a = Math.abs(v), i = 0;
  while (a >= base && i < names.length - 1) { a /= base; i++; }
  const n = (v < 0 ? -a : a);
  const s = `${+n.toPrecision(3)}${i || bytes ? ' ' : ''}${names[i]}`;
  if (bytes) return `${s}B${unit === 'bytes/s' ? '/s' : ''}`;
  if (unit === 's') return `${s}s`;
  return unit && unit !== 'none' ? `${s} ${unit}` : s.trim();
}

function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
function dark() { return matchMedia('(prefers-color-scheme: dark)').matches; }

// ---------- panel data ----------

// series: Map key → {qi, label, t: [seconds], v: [value or null]}, t ascending (arrays, not maps:
// an hour of points merges and lines up in a few milliseconds); null (from NaN, ±Inf) is a gap.
// edge: {t, values: Map key → v}.

// "1.5" → 1.5; "NaN", "+Inf", "-Inf" → null (a gap: uPlot cannot draw them).
function sampleValue(text) {
  const v = +text;
  return Number.isFinite(v) ? v : null;
}

// The first index of sorted `ts` whose time is >= t.
function lowerBound(ts, t) {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function seriesOf(panel, qi, metric) {
  const key = `${qi}|${JSON.stringify(metric)}`;
  let s = panel.series.get(key);
  if (!s) {
    s = { qi, label: labelText(metric, panel.queries[qi]), t: [], v: [] };
    panel.series.set(key, s);
  }
  return [key, s];
}

function mergeMatrix(panel, qi, result, replace) {
  if (replace) {
    for (const [k, s] of panel.series) if (s.qi === qi) panel.series.delete(k);
  }
  for (const r of result) {
    const [, s] = seriesOf(panel, qi, r.metric);
    // Index loops, not for-of with destructuring: this runs once per point before the engine
    // has optimized anything, where an iterator per point costs several times more.
    const values = r.values || [];
    for (let p = 0; p < values.length; p++) {
      const t = +values[p][0], v = sampleValue(values[p][1]);
      const n = s.t.length;
      if (!n || t > s.t[n - 1]) {  // the usual case: newer than all we have
        s.t.push(t);
        s.v.push(v);
        continue;
      }
      const i = lowerBound(s.t, t);
      if (s.t[i] === t) {
        s.v[i] = v;
      } else {
        s.t.splice(i, 0, t);
        s.v.splice(i, 0, v);
      }
    }
  }
}

// A load's answer for query `qi` (/api/v1/query_range_batch: columns), replacing what it had.
function setColumns(panel, qi, answer) {
  for (const [k, s] of panel.series) if (s.qi === qi) panel.series.delete(k);
  for (const r of answer.series) {
    const [, s] = seriesOf(panel, qi, r.metric);
    s.t = r.t;
    s.v = r.v;
  }
}

function mergeEdge(panel, qi, t, result) {
  if (!panel.edge || panel.edge.t !== t) panel.edge = { t, values: new Map() };
  for (const r of result) {
    const [key] = seriesOf(panel, qi, r.metric);
    panel.edge.values.set(key, sampleValue(r.value[1]));
  }
}

// The columns uPlot wants: x (seconds) and one y array per series, aligned, nulls for gaps.
function buildData(panel) {
  const now = Date.now() / 1000;
  const min = state.view ? state.view.min : now - RANGES[state.range] - step();
  const keys = [...panel.series.keys()].sort();
  const all = keys.map((k) => panel.series.get(k));
  for (const s of all) {  // what slid out of the window
    const i = lowerBound(s.t, min);
    if (i) {
      s.t.splice(0, i);
      s.v.splice(0, i);
    }
  }
  let xs;
  if (all.length === 1) {
    xs = all[0].t.slice();
  } else {  // the union of the series' times
    const sorted = Float64Array.from(all.flatMap((s) => s.t)).sort();
    xs = [];
    for (const t of sorted) if (!xs.length || t !== xs[xs.length - 1]) xs.push(t);
  }
  const edge = !state.view && panel.edge && (!xs.length || panel.edge.t > xs[xs.length - 1]) ? panel.edge : null;
  const data = [xs, ...all.map((s) => {
    if (all.length === 1) return s.v.slice();
    const ys = new Array(xs.length).fill(null);
    for (let i = 0, j = 0; i < xs.length && j < s.t.length; i++) {
      if (xs[i] === s.t[j]) ys[i] = s.v[j++];
    }
    return ys;
  })];
  if (edge) {
    xs.push(edge.t);
    keys.forEach((k, si) => data[si + 1].push(edge.values.has(k) ? edge.values.get(k) : null));
  }
  return { keys, data };
}

// ---------- charts ----------

function xRange() {
  if (state.view) return [state.view.min, state.view.max];
  const now = Date.now() / 1000;
  return [now - RANGES[state.range], now];
}

function chartWidth(panel) { return Math.max(200, panel.el.querySelector('.chart').clientWidth); }

// The colours of the current scheme, read once per drawing pass (reading styles forces a style
// recalculation when the DOM has changed).
function themeColors() {
  return { palette: dark() ? PALETTE_DARK : PALETTE_LIGHT, axis: css('--axis'), grid: css('--grid') };
}

function makeChart(panel, keys, data, width, colors) {
  const palette = colors.palette;
  const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid } };
  const opts = {
    width,
    height: 220,
    tzDate: (ts) => new Date(ts * 1000),
    cursor: {
      drag: { x: true, y: false, setScale: false },
      bind: {
        // Shift+drag pans; a plain drag selects a range to zoom into.
        mousedown: (u, targ, handler) => (e) => {
          if (e.shiftKey && e.button === 0) { startPan(u, e); return null; }
          return handler(e);
        },
        dblclick: () => () => { goLive(); return null; },
      },
    },
    scales: {
      x: { time: true, range: () => xRange() },
      y: { range: (u, lo, hi) => yRange(panel, lo, hi) },
    },
    axes: [
      { ...axis },
      {
        ...axis,
        values: (u, vals) => vals.map((v) => formatValue(v, panel.unit)),
        // Wide enough for the longest tick label ("1.43 MiB/s").
        size: (u, vals) => (vals ? Math.max(44, 24 + 7.5 * Math.max(...vals.map((v) => v.length))) : 44),
      },
    ],
    legend: { live: true },
    series: [
      {},
      ...keys.map((k, i) => ({
        label: panel.series.get(k).label,
        stroke: palette[i % palette.length],
        fill: panel.stacked ? `${palette[i % palette.length]}40` : undefined,
        width: 1.5,
        spanGaps: false,
        // Off the chart the legend shows each series' latest value.
        // Stacked charts draw running sums; the legend shows each series' own value.
        value: (u, v, si, idx) => {
          const ys = (panel.raw || u.data)[si];
          return formatValue(idx == null ? lastValue(ys) : ys[idx], panel.unit);
        },
      })),
    ],
    // Stacked: each series' fill lies between it and the one below.
    bands: panel.stacked ? keys.slice(1).map((k, i) => ({ series: [i + 2, i + 1] })) : [],
    hooks: {
      setSelect: [(u) => {
        if (u.select.width < 5) return;
        const min = u.posToVal(u.select.left, 'x');
        const max = u.posToVal(u.select.left + u.select.width, 'x');
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        zoomTo(min, max);
      }],
    },
  };
  const host = panel.el.querySelector('.chart');
  host.textContent = '';
  panel.chart = new uPlot(opts, data, host);
  panel.chartKeys = keys.join('\n');
}

function lastValue(ys) {
  for (let j = (ys ? ys.length : 0) - 1; j >= 0; j--) if (ys[j] != null) return ys[j];
  return null;
}

function yRange(panel, lo, hi) {
  if (lo == null || hi == null) { lo = 0; hi = 1; }
  if (lo === hi && lo < 0 && panel.yMin == null && panel.yMax == null) return [lo * 1.25, 0];
  const min = panel.yMin ?? (lo >= 0 && panel.unit !== 'none' ? 0 : lo);
  let max = panel.yMax ?? hi;
  if (panel.yMax != null && hi > panel.yMax) max = hi;
  if (max <= min) return [min, min + 1];  // e.g. a flat zero: 0..1
  // Headroom over the top value; a flat line (as the PNG renderer) sits about 3/4 of the way up.
  if (panel.yMax == null) max += (max - min) * (lo === hi ? 0.25 : 0.05);
  return [min, max];
}

// Running sums of the series, in order (nulls count as 0), for stacked panels.
function stack(data) {
  const acc = new Array(data[0].length).fill(0);
  return [data[0], ...data.slice(1).map((ys) => ys.map((v, j) => (acc[j] += v == null ? 0 : v)))];
}

// Draws (or updates) the charts of `panels` in one pass: every layout read first, then the writes,
// so the page is laid out once, not once per chart.
function renderPanels(panels) {
  const widths = panels.map((p) => (p.chart ? 0 : chartWidth(p)));
  const colors = themeColors();
  panels.forEach((p, i) => render(p, widths[i], colors));
}

function render(panel, width, colors) {
  const built = buildData(panel);
  const keys = built.keys;
  panel.raw = panel.stacked ? built.data : null;
  const data = panel.stacked ? stack(built.data) : built.data;
  const empty = panel.el.querySelector('.empty');
  empty.textContent = keys.length ? '' : (panel.error || 'No data in this timeframe.');
  if (!panel.chart || panel.chartKeys !== keys.join('\n')) {
    if (panel.chart) panel.chart.destroy();
    makeChart(panel, keys, data, width || chartWidth(panel), colors || themeColors());
  } else {
    panel.chart.setData(data, false);
    panel.chart.setScale('x', { min: xRange()[0], max: xRange()[1] });
    // Off the chart the legend shows the latest values: refresh it (a hover updates it itself).
    if (panel.chart.cursor.idx == null) panel.chart.setLegend({ idx: null }, false);
  }
  describe(panel, keys, built.data);
}

// A text alternative for screen readers: the series and their latest values.
function describe(panel, keys, data) {
  const host = panel.el.querySelector('.chart');
  const parts = keys.slice(0, 6).map((k, i) => {
    const ys = data[i + 1];
    let last = null;
    for (let j = ys.length - 1; j >= 0; j--) if (ys[j] != null) { last = ys[j]; break; }
    return `${panel.series.get(k).label}: ${formatValue(last, panel.unit)}`;
  });
  const more = keys.length > 6 ? `, and ${keys.length - 6} more series` : '';
  host.setAttribute('aria-label', `${panel.title} chart. ${keys.length ? `Latest: ${parts.join('; ')}${more}.` : 'No data.'}`);
}

let renderQueued = false;
function renderAll() {
  if (renderQueued || !uPlot) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderPanels(state.panels);
  });
}

// ---------- zoom and pan ----------

function zoomTo(min, max) {
  if (!(max > min)) return;
  state.view = { min, max };
  $('#live').setAttribute('aria-pressed', 'false');
  setStatus(`Showing ${new Date(min * 1000).toLocaleString()} – ${new Date(max * 1000).toLocaleString()}`);
  loadAll();
}

function pan(fraction) {
  const [min, max] = xRange();
  const d = (max - min) * fraction;
  zoomTo(min + d, max + d);
}

function zoom(factor) {
  const [min, max] = xRange();
  const mid = (min + max) / 2, half = (max - min) * factor / 2;
  zoomTo(mid - half, Math.min(mid + half, Date.now() / 1000 + half * 0.1));
}

function goLive() {
  state.view = null;
  $('#live').setAttribute('aria-pressed', 'true');
  loadAll();
}

function startPan(u, e) {
  const x0 = e.clientX;
  const [min, max] = xRange();
  const perPx = (max - min) / u.over.clientWidth;
  const move = (ev) => {
    const d = (x0 - ev.clientX) * perPx;
    for (const p of state.panels) p.chart && p.chart.setScale('x', { min: min + d, max: max + d });
  };
  const up = (ev) => {
    document.removeEventListener('mousemove', move);
    document.removeEventListener('mouseup', up);
    const d = (x0 - ev.clientX) * perPx;
    if (Math.abs(d) > 0) zoomTo(min + d, max + d);
  };
  document.addEventListener('mousemove', move);
  document.addEventListener('mouseup', up);
}

// ---------- loading and streaming ----------

// The range queries' window: the current view on the step grid (one for every panel).
function dataView() {
  const s = step();
  const [min, max] = xRange();
  return { start: Math.floor(min / s) * s, end: Math.floor(max / s) * s, step: s };
}

// The range queries of `panels` over `view`, in as few requests as the server takes
// (/api/v1/query_range_batch): one request, one answer to parse and one task for the page, where
// a request per query costs each of those per query. The boot script's requests are taken over.
async function loadPanels(panels, view = dataView()) {
  const queries = [...new Set(panels.flatMap((p) => p.queries))];
  const answers = new Map();  // query → its query_range answer
  await Promise.all(boot.batches(queries).map(async (batch) => {
    const body = boot.batchBody(batch, view);
    const early = boot.pending.get(body);
    boot.pending.delete(body);
    try {
      const res = await (early || boot.postBatch(body));
      const { results } = await parseApi('/api/v1/query_range_batch', res);
      batch.forEach((q, i) => answers.set(q, results[i]));
    } catch (err) {
      for (const q of batch) answers.set(q, { status: 'error', error: err.message });
    }
  }));
  for (const p of panels) {
    p.error = '';
    p.queries.forEach((q, qi) => {
      const r = answers.get(q);
      if (r.status === 'success') setColumns(p, qi, r);
      else p.error = `${q}: ${r.error}`;
    });
    p.edge = null;
  }
}

// Loads every panel, then draws them all in one pass (one layout and one frame for the lot:
// drawing each as it arrives costs a layout and a frame per chart).
async function loadAll(view = dataView()) {
  const t0 = performance.now();
  for (const p of state.panels) p.series = new Map();
  let dataAt = 0;  // when the data was in (ms since navigation start)
  await Promise.all([loadPanels(state.panels, view).then(() => { dataAt = performance.now(); }),
    uPlotReady]);
  const t1 = performance.now();
  renderPanels(state.panels);
  const drawMs = performance.now() - t1;
  boot.pending.clear();  // what the first load did not take is stale now
  const failed = state.panels.filter((p) => p.error);
  showError(failed.length ? failed.map((p) => `${p.title}: ${p.error}`).join('\n') : '');
  if (!state.ready) {
    await null;  // uPlot draws in a microtask after the last chart's creation
    state.ready = true;
    performance.mark('mm-first-paint');
    window.mmFirstPaint = performance.now();
    window.mmLoadMs = performance.now() - t0;
    // Since navigation start: this module running, uPlot ready, the last data in; and how long
    // drawing the charts took.
    window.mmTimings = { moduleStart, uplot: uPlotAt, data: dataAt, draw: drawMs };
  }
  connectStream();
}

function connectStream() {
  if (state.source) { state.source.close(); state.source = null; }
  if (state.view && state.view.max < Date.now() / 1000 - step()) { setStatus('Paused (viewing the past)'); return; }
  const qs = new URLSearchParams();
  state.streamMap = [];
  for (const p of state.panels) {
    p.queries.forEach((q, qi) => { qs.append('query', q); state.streamMap.push([p, qi]); });
  }
  if (!state.streamMap.length) return;
  qs.set('step', `${step()}`);
  qs.set('steps', `${STREAM_STEPS}`);
  const src = new EventSource(`/api/v1/stream?${qs}`);
  state.source = src;
  src.addEventListener('open', () => setStatus('Live'));
  src.addEventListener('points', (ev) => {
    const msg = JSON.parse(ev.data);
    const t = msg.t / 1000;
    msg.results.forEach((r, i) => {
      const [panel, qi] = state.streamMap[i] || [];
      if (!panel || r.error) return;
      mergeMatrix(panel, qi, r.range.data.result, false);
      const now = r.now.data;
      if (now.resultType === 'vector') mergeEdge(panel, qi, t, now.result);
      else if (now.resultType === 'scalar') mergeEdge(panel, qi, t, [{ metric: {}, value: now.result }]);
    });
    window.mmLastEvent = performance.now();
    renderAll();
  });
  src.addEventListener('error', () => {
    if (src.readyState === EventSource.CLOSED) setStatus('Disconnected: reload to retry');
    else setStatus('Reconnecting…');
  });
}

// ---------- panels ----------

function addPanel(cfg, { removable = false } = {}) {
  const panel = {
    id: state.nextId++,
    title: cfg.title || cfg.queries.join(', '),
    queries: cfg.queries,
    unit: cfg.unit || '',
    yMin: cfg.y_min ?? null,
    yMax: cfg.y_max ?? null,
    stacked: !!cfg.stacked,
    removable,
    series: new Map(),
    edge: null,
    chart: null,
    error: '',
  };
  const el = document.createElement('section');
  el.className = 'panel';
  el.setAttribute('aria-labelledby', `panel-title-${panel.id}`);
  el.innerHTML = `<header><h2 id="panel-title-${panel.id}"></h2></header>
    <p class="queries"></p><p class="empty"></p>
    <div class="chart" role="img"></div>`;
  el.querySelector('h2').textContent = panel.title;
  el.querySelector('.queries').textContent = panel.queries.join('  ·  ');
  el.querySelector('.queries').title = panel.queries.join('\n');
  if (removable) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'remove';
    b.textContent = '×';
    b.setAttribute('aria-label', `Remove panel ${panel.title}`);
    b.addEventListener('click', () => removePanel(panel));
    el.querySelector('header').append(b);
  }
  panel.el = el;
  $('#panels').append(el);
  state.panels.push(panel);
  return panel;
}

function removePanel(panel) {
  if (panel.chart) panel.chart.destroy();
  panel.el.remove();
  state.panels = state.panels.filter((p) => p !== panel);
  saveUrl();
  connectStream();
  $('#promql').focus();
}

function saveUrl() {
  const url = new URL(location.href);
  url.searchParams.delete('add');
  for (const p of state.panels) if (p.removable) url.searchParams.append('add', p.queries[0]);
  url.searchParams.set('range', state.range);
  history.replaceState(null, '', url);
}

async function onAdd(ev) {
  ev.preventDefault();
  const input = $('#promql');
  const q = input.value.trim();
  const err = $('#add-error');
  err.textContent = '';
  input.removeAttribute('aria-invalid');
  if (!q) return;
  try {
    await api('/api/v1/query', [['query', q]]);  // refuses bad PromQL with the engine's message
  } catch (e) {
    err.textContent = e.message;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  const panel = addPanel({ queries: [q] }, { removable: true });
  input.value = '';
  saveUrl();
  await Promise.all([loadPanels([panel]), uPlotReady]);
  renderPanels([panel]);
  connectStream();
  setStatus(`Added panel ${q}`);
}

// ---------- metric browser ----------

let metricNames = [];
async function loadMetricNames() {
  const filter = $('#label-filter').value.trim();
  const params = [];
  if (filter) params.push(['match[]', `{${filter}}`]);
  try {
    const body = await api('/api/v1/label/__name__/values', params);
    metricNames = body.data;
    $('#label-filter').removeAttribute('aria-invalid');
  } catch (e) {
    metricNames = [];
    $('#label-filter').setAttribute('aria-invalid', 'true');
    $('#metric-count').textContent = `Filter: ${e.message}`;
    renderMetricList(false);
    return;
  }
  renderMetricList(true);
}

function renderMetricList(count = true) {
  const needle = $('#metric-search').value.trim().toLowerCase();
  const names = metricNames.filter((n) => n.toLowerCase().includes(needle));
  const list = $('#metric-list');
  list.textContent = '';
  const frag = document.createDocumentFragment();
  for (const n of names.slice(0, 500)) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = n;
    b.title = `Chart ${n}`;
    b.addEventListener('click', () => {
      const filter = $('#label-filter').value.trim();
      $('#promql').value = filter ? `${n}{${filter}}` : n;
      $('#add-form').requestSubmit();
    });
    li.append(b);
    frag.append(li);
  }
  list.append(frag);
  if (count) $('#metric-count').textContent = `${names.length} of ${metricNames.length} metrics`;
}

function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// ---------- start ----------

const moduleStart = performance.now();
let uPlotAt = 0;
uPlotReady.then(() => { uPlotAt = performance.now(); });

async function main() {
  state.range = boot.range;
  for (const r of document.querySelectorAll('input[name="range"]')) r.checked = r.value === state.range;
  for (const p of boot.panels) addPanel(p);
  for (const q of boot.added) addPanel({ queries: [q] }, { removable: true });

  document.querySelectorAll('input[name="range"]').forEach((r) => r.addEventListener('change', () => {
    state.range = r.value;
    state.view = null;
    $('#live').setAttribute('aria-pressed', 'true');
    saveUrl();
    loadAll();
  }));
  $('#pan-back').addEventListener('click', () => pan(-0.5));
  $('#pan-fwd').addEventListener('click', () => pan(0.5));
  $('#live').addEventListener('click', goLive);
  $('#zoom-in').addEventListener('click', () => zoom(0.5));
  $('#zoom-out').addEventListener('click', () => zoom(2));
  $('#add-form').addEventListener('submit', onAdd);
  $('#promql').addEventListener('input', () => {
    $('#add-error').textContent = '';
    $('#promql').removeAttribute('aria-invalid');
  });
  $('#metric-search').addEventListener('input', () => renderMetricList());
  $('#label-filter').addEventListener('input', debounce(loadMetricNames, 250));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const p of state.panels) { if (p.chart) p.chart.destroy(); p.chart = null; }
    renderAll();
  });
  // Charts follow the page's width. Only a chart whose width changed is resized (a resize redraws
  // it): the observer also reports the first layout, where nothing changed; and every width is
  // read before any chart changes, so the page is laid out once.
  new ResizeObserver(debounce(() => {
    const widths = state.panels.map((p) => (p.chart ? chartWidth(p) : 0));
    state.panels.forEach((p, i) => {
      if (p.chart && widths[i] !== p.chart.width) p.chart.setSize({ width: widths[i], height: 220 });
    });
  }, 100)).observe($('#panels'));
  // Keep the live window sliding even when no data arrives.
  setInterval(() => { if (!state.view) renderAll(); }, 5000);

  await loadAll(boot.view);
  loadMetricNames();
}

window.mmDashboard = state;  // for the end-to-end test and for poking around in devtools
main().catch((e) => showError(e.message));
