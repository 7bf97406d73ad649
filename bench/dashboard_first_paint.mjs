// The dashboard's first paint, measured in a real browser (Debian's chromium driven by
// playwright-core from web/node_modules): 12 panels over 1 hour of 1 s data, as the issue's
// speed target puts it. Run by bench/dashboard_bench.sh against a daemon it started; usable alone:
//
//   node bench/dashboard_first_paint.mjs --url http://127.0.0.1:PORT [--url URL2 ...] [--load]
//                                        [--runs 7] [--verbose]
//
// --load writes the data first (12 series perf_0..perf_11, one sample a second for the last hour).
// First paint is the dashboard's own mark (window.mmFirstPaint): milliseconds from navigation
// start until every panel has drawn its data. Several --url (two builds, say) take turns in the
// same browser. Prints one JSON line per URL on stdout:
//   {"url":..,"runs":[ms,...],"median":ms,"points":N,"phases":{...},"fcp":ms}
// --verbose also prints, for the median run, every resource's timing to stderr.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const PANELS = 12;
const HOUR = 3600;

function parseArgs(argv) {
  const a = { urls: [], load: false, runs: 7, verbose: false,
    chromium: process.env.MM_CHROMIUM || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--url') a.urls.push(argv[++i]);
    else if (k === '--load') a.load = true;
    else if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--verbose') a.verbose = true;
    else if (k === '--chromium') a.chromium = argv[++i];
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.urls.length) throw new Error('--url http://HOST:PORT is required');
  if (!(a.runs >= 1)) throw new Error('--runs takes a positive number');
  return a;
}

async function write(base, body) {
  const res = await fetch(`${base}/write?precision=s`, { method: 'POST', body });
  if (res.status !== 204) throw new Error(`POST /write: HTTP ${res.status}: ${await res.text()}`);
}

// The same shape of data as the end-to-end test: a slow sine with a 7 s sawtooth, per series.
async function loadHour(base) {
  const now = Math.floor(Date.now() / 1000);
  let lines = [];
  for (let s = 0; s < PANELS; s++) {
    for (let t = now - HOUR; t <= now; t++) {
      const v = 50 + 40 * Math.sin((t / 300) + s) + (t % 7);
      lines.push(`perf_${s},host=h${s % 3} value=${v.toFixed(2)} ${t}`);
      if (lines.length === 10000) { await write(base, lines.join('\n')); lines = []; }
    }
  }
  if (lines.length) await write(base, lines.join('\n'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// What the page reports once its charts are drawn (null before), as a JSON string.
const REPORT = `window.mmFirstPaint === undefined ? null : JSON.stringify({
  firstPaint: window.mmFirstPaint,
  panels: window.mmDashboard.panels.length,
  points: window.mmDashboard.panels.reduce((n, p) => n + (p.chart ? p.chart.data[0].length : 0), 0),
  fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0,
  phases: window.mmTimings,
  resources: performance.getEntriesByType('resource').map((e) => ({
    name: e.name.replace(location.origin, ''), start: e.startTime, ttfb: e.responseStart,
    end: e.responseEnd, bytes: e.encodedBodySize })),
  nav: (() => { const n = performance.getEntriesByType('navigation')[0];
    return { ttfb: n.responseStart, end: n.responseEnd, dcl: n.domContentLoadedEventEnd }; })(),
})`;

// Opens `url` and waits for the page's first-paint mark. It asks with plain DevTools-protocol
// evaluations every 25 ms rather than Playwright's waitForFunction, which injects its own script
// into the page and would compete with the dashboard for the main thread while it is measured.
// (The end-to-end test measures its first paint with it too.)
export async function firstPaint(context, page, url) {
  const cdp = await context.newCDPSession(page);
  await page.goto(url, { waitUntil: 'commit' });
  const deadline = Date.now() + 20000;
  for (;;) {
    const { result } = await cdp.send('Runtime.evaluate', { expression: REPORT, returnByValue: true });
    if (typeof result.value === 'string') {
      await cdp.detach();
      return JSON.parse(result.value);
    }
    if (Date.now() > deadline) throw new Error(`no first paint in 20 s on ${url}`);
    await sleep(25);
  }
}

// The median run of `runs`, summed up (and, when verbose, its resource timings on stderr).
function summary(url, runs, verbose) {
  const order = runs.map((r, i) => [r.firstPaint, i]).sort((a, b) => a[0] - b[0]);
  const mid = runs[order[Math.floor(order.length / 2)][1]];
  if (verbose) {
    const f = (x) => x.toFixed(0).padStart(5);
    console.error(`${url}: navigation: ttfb ${f(mid.nav.ttfb)} end ${f(mid.nav.end)} ` +
      `DOMContentLoaded ${f(mid.nav.dcl)}`);
    for (const e of mid.resources) {
      console.error(`${f(e.start)} ${f(e.ttfb)} ${f(e.end)} ${String(e.bytes).padStart(8)} B  ${e.name.slice(0, 90)}`);
    }
    console.error(`phases: ${JSON.stringify(mid.phases)}`);
  }
  return {
    url,
    runs: runs.map((r) => Math.round(r.firstPaint)),
    median: Math.round(mid.firstPaint),
    points: mid.points,
    fcp: Math.round(mid.fcp),
    phases: Object.fromEntries(Object.entries(mid.phases || {}).map(([k, v]) => [k, Math.round(v)])),
  };
}

// Loads the dashboard `args.runs` times from each URL (taking turns, so that two builds compared
// side by side see the same machine load) after one warm-up load each: the browser's first page
// pays for starting the browser, not for our page.
async function measure(args) {
  if (!fs.existsSync(args.chromium)) throw new Error(`${args.chromium} is missing (apt-get install chromium)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-dash-bench-'));
  const launchArgs = ['--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (process.getuid && process.getuid() === 0) launchArgs.push('--no-sandbox');
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: args.chromium, headless: true, args: launchArgs,
    viewport: { width: 1400, height: 1000 },
  });
  const errors = [];
  const qs = Array.from({ length: PANELS }, (_, i) => `panel=perf_${i}`).join('&');
  const runs = args.urls.map(() => []);
  try {
    for (let i = 0; i <= args.runs; i++) {
      for (const [u, url] of args.urls.entries()) {
        const page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        const r = await firstPaint(context, page, `${url}/?range=1h&${qs}`);
        await page.close();
        if (r.panels !== PANELS) throw new Error(`${r.panels} panels on the page, expected ${PANELS}`);
        if (r.points < PANELS * 100) throw new Error(`only ${r.points} points drawn: is the data loaded?`);
        if (i > 0) runs[u].push(r);
      }
    }
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (errors.length) throw new Error(`browser errors: ${errors.join('; ')}`);
  return args.urls.map((url, u) => summary(url, runs[u], args.verbose));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {  // run, not imported
  const args = parseArgs(process.argv.slice(2));
  if (args.load) for (const url of args.urls) await loadHour(url);
  for (const s of await measure(args)) console.log(JSON.stringify(s));
}
