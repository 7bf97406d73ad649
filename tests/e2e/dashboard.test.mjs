// End-to-end: the dashboard in a real browser (Debian's chromium driven by playwright-core).
// Starts `metrics-manager run` on a free loopback port with a fresh config directory, opens the
// dashboard, checks a chart with data, a written sample on screen within 2 s, zoom by dragging,
// a PromQL panel, no console errors, and measures the first paint of 12 panels over 1 hour of
// 1 s data. Screenshots go to $MM_ARTIFACTS (BUILD/e2e-artifacts).
//
//   MM_BINARY=build/metrics-manager MM_ARTIFACTS=build/e2e-artifacts node --test tests/e2e/
//
// A missing chromium or binary is a failure, not a skip (CI must have them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { firstPaint } from '../../bench/dashboard_first_paint.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BINARY = process.env.MM_BINARY || 'build/metrics-manager';
const ARTIFACTS = process.env.MM_ARTIFACTS || path.join(path.dirname(BINARY), 'e2e-artifacts');
const CHROMIUM = process.env.MM_CHROMIUM || '/usr/bin/chromium';
const HOUR = 3600;

let server;        // child process
let base;          // http://127.0.0.1:PORT
let context;       // browser context (persistent, fresh user-data-dir)
let tmp;
const consoleErrors = [];

async function startServer(configDir) {
  const child = spawn(BINARY, ['run', '--listen', '127.0.0.1:0', '--config', configDir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 20 s:\n${out}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${out}`)); });
    child.on('error', reject);
  });
  return { child, url };
}

async function write(lines) {
  const res = await fetch(`${base}/write?precision=s`, { method: 'POST', body: lines });
  assert.equal(res.status, 204, await res.text());
}

// 12 series × 1 hour of 1 s samples (43,200 points), ending now.
async function writeHourOfData() {
  const now = Math.floor(Date.now() / 1000);
  const lines = [];
  for (let s = 0; s < 12; s++) {
    for (let t = now - HOUR; t <= now; t++) {
      const v = 50 + 40 * Math.sin((t / 300) + s) + (t % 7);
      lines.push(`perf_${s},host=h${s % 3} value=${v.toFixed(2)} ${t}`);
    }
  }
  for (let i = 0; i < lines.length; i += 10000) await write(lines.slice(i, i + 10000).join('\n'));
  const probe = [];
  for (let t = now - HOUR; t <= now; t += 10) probe.push(`e2e_probe value=${(t % 100) + 1} ${t}`);
  await write(probe.join('\n'));
}

async function shot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

// The one 400 the test provokes on purpose (a bad PromQL box entry): Chromium logs every 4xx
// fetch as "Failed to load resource", even when the page handles it.
const EXPECTED_400 = 'query=rate%28e2e_probe';
let expected400Seen = 0;

function watch(page) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/status of 400/.test(m.text()) && expected400Seen > 0) { expected400Seen--; return; }
    consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => {
    // EventSource connections are cut when a page closes; that is not an error of ours.
    if (!r.url().includes('/api/v1/stream')) consoleErrors.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() === 400 && r.url().includes(EXPECTED_400)) { expected400Seen++; return; }
    if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium)`);
  assert.ok(fs.existsSync(BINARY), `${BINARY} is missing (build it first)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-'));
  const config = path.join(tmp, 'config');
  fs.mkdirSync(config);
  fs.writeFileSync(path.join(config, 'metrics-manager.yaml'),
    'metrics:\n  - name: system\n    source: system\n    interval: 1s\n');
  ({ child: server, url: base } = await startServer(config));
  await writeHourOfData();
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
});

after(async () => {
  if (context) await context.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => { server.once('exit', r); setTimeout(r, 5000); });
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('dashboard: overview with data, live sample, zoom, PromQL panel', async () => {
  const page = await context.newPage();
  watch(page);
  await page.goto(base + '/');
  await page.waitForFunction(() => window.mmFirstPaint !== undefined, null, { timeout: 10000 });
  // The default overview: CPU, memory, ... and the ingestion panels; CPU has data after ~2 s.
  const titles = await page.$$eval('.panel h2', (hs) => hs.map((h) => h.textContent));
  assert.ok(titles.includes('CPU usage'), titles.join(', '));
  assert.ok(titles.some((t) => t.startsWith('Ingestion')), titles.join(', '));
  await page.waitForFunction(() => {
    const p = window.mmDashboard.panels.find((x) => x.title === 'CPU usage');
    return p && p.chart && p.chart.data.length > 1 && p.chart.data[1].some((v) => v != null);
  }, null, { timeout: 10000 });
  await shot(page, 'dashboard-overview.png');

  // The metric browser: search by name, then filter by label (names come from the server).
  await page.fill('#metric-search', 'perf_1');
  await page.waitForFunction(() => [...document.querySelectorAll('#metric-list button')]
    .map((b) => b.textContent).join(',') === 'perf_1,perf_10,perf_11');
  await page.fill('#metric-search', '');
  await page.fill('#label-filter', 'host="h1"');
  await page.waitForFunction(() => [...document.querySelectorAll('#metric-list button')]
    .map((b) => b.textContent).join(',') === 'perf_1,perf_10,perf_4,perf_7');
  await page.fill('#label-filter', '');

  // The timeframe picker (keyboard: arrows move within the radio group) reloads every panel.
  await page.focus('input[name=range][value="1h"]');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => window.mmDashboard.range === '15m' &&
    new URL(location.href).searchParams.get('range') === '15m');
  await page.waitForFunction(() => {
    const p = window.mmDashboard.panels.find((x) => x.title === 'CPU usage');
    return p.chart && p.chart.scales.x.max - p.chart.scales.x.min < 1000;
  });
  await page.click('label:has(input[value="1h"])');
  await page.waitForFunction(() => window.mmDashboard.range === '1h');

  // A PromQL panel: e2e_probe has an hour of data.
  await page.fill('#promql', 'e2e_probe');
  await page.click('#add-form button[type=submit]');
  const probeData = () => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    return p && p.chart ? p.chart.data : null;
  };
  await page.waitForFunction((fn) => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    return p && p.chart && p.chart.data[0].length > 100;
  }, null, { timeout: 5000 });
  assert.ok(probeData);

  // A bad expression is refused with the engine's message, announced (role=alert).
  await page.fill('#promql', 'rate(e2e_probe');
  await page.click('#add-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#add-error').textContent.length > 0);

  // A new sample is on screen within 2 s (pushed by the server over SSE).
  const t0 = Date.now();
  await write(`e2e_probe value=987654 ${Math.floor(Date.now() / 1000)}`);
  await page.waitForFunction(() => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    const ys = p && p.chart && p.chart.data[1];
    return ys && ys[ys.length - 1] === 987654;
  }, null, { timeout: 2000, polling: 20 });
  const liveMs = Date.now() - t0;
  console.log(`# live: written sample on screen after ${liveMs} ms`);
  // ... and in the legend text of the chart's screen-reader label.
  const label = await page.$eval('.panel:last-child .chart', (c) => c.getAttribute('aria-label'));
  assert.match(label, /988 k|987654|987,654|988k/, label);
  await shot(page, 'dashboard-live-sample.png');

  // Zoom: drag across the middle of the probe chart; the x scale narrows on every chart.
  const before = await page.evaluate(() => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    return [p.chart.scales.x.min, p.chart.scales.x.max];
  });
  const over = await page.$('.panel:last-child .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((b) => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    const s = p.chart.scales.x;
    return window.mmDashboard.view && s.max - s.min < (b[1] - b[0]) * 0.5;
  }, before, { timeout: 5000 });
  const after = await page.evaluate(() => {
    const p = window.mmDashboard.panels.find((x) => x.queries[0] === 'e2e_probe');
    return [p.chart.scales.x.min, p.chart.scales.x.max];
  });
  const ratio = (after[1] - after[0]) / (before[1] - before[0]);
  assert.ok(ratio > 0.2 && ratio < 0.45, `zoomed span ratio ${ratio}`);
  await shot(page, 'dashboard-zoomed.png');

  // Pan (the Earlier button) moves the window back by half its width; Live returns.
  await page.click('#pan-back');
  await page.waitForFunction((a) => window.mmDashboard.view && window.mmDashboard.view.max < a[1] - 1, after);
  await page.click('#live');
  await page.waitForFunction(() => window.mmDashboard.view === null);

  await page.close();

  // The same page in the dark scheme (prefers-color-scheme), for the eye.
  const darkPage = await context.newPage();
  watch(darkPage);
  await darkPage.emulateMedia({ colorScheme: 'dark' });
  await darkPage.goto(base + '/?add=e2e_probe');
  await darkPage.waitForFunction(() => window.mmFirstPaint !== undefined, null, { timeout: 10000 });
  assert.equal(await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor),
    'rgb(18, 21, 27)');
  await shot(darkPage, 'dashboard-dark.png');
  await darkPage.close();
  assert.deepEqual(consoleErrors, []);
});

test('dashboard: first paint of 12 panels over 1 hour of 1 s data', async () => {
  const qs = Array.from({ length: 12 }, (_, i) => `panel=perf_${i}`).join('&');
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const page = await context.newPage();
    watch(page);
    // Waits without a script of Playwright's in the page while it is measured (see the bench).
    const r = await firstPaint(context, page, `${base}/?range=1h&${qs}`);
    assert.equal(r.panels, 12);
    assert.ok(r.points >= 12 * 500, `points drawn: ${r.points}`);
    runs.push(r);
    if (i === 0) await shot(page, 'dashboard-12-panels.png');
    await page.close();
  }
  const sorted = runs.map((r) => r.firstPaint).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`# first paint, 12 panels x 1 h of 1 s data (${runs[0].points} points drawn): ` +
    `median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms; ` +
    `data in at ${runs.map((r) => r.phases.data.toFixed(0)).join('/')} ms; first contentful paint ` +
    `${runs.map((r) => (r.fcp || 0).toFixed(0)).join('/')} ms; load average ${os.loadavg()[0].toFixed(1)}`);
  const t = runs[Math.floor(runs.length / 2)].phases;
  console.log(`# phases (one run, ms since navigation): app.js runs ${t.moduleStart.toFixed(0)}, ` +
    `uPlot ready ${t.uplot.toFixed(0)}, data in ${t.data.toFixed(0)}; drawing took ${t.draw.toFixed(0)}`);
  // Target 500 ms on loopback; the bound here leaves room for a loaded CI machine.
  assert.ok(median < 1500, `first paint median ${median} ms`);
  assert.deepEqual(consoleErrors, []);
});
