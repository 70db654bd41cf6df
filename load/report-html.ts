/**
 * report.html: one self-contained file a person opens from disk, with nothing fetched: Chart.js (its UMD build,
 * read from node_modules) and the results are inlined. Latency over time per operation, throughput over time,
 * status codes per operation, the figures table and the invariant results with every violation and exclusion.
 * The page sets `document.body.dataset.charts` to the number of charts drawn once they are (the report test reads it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResults } from './results';

/** Chart.js's UMD build: its package exports only the module builds, so the file beside the CommonJS one is read. */
function chartJsSource(): string {
  const main = require.resolve('chart.js');
  return readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Text inside a <script> element: nothing in it may close the element. */
const inScript = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1');

function operationRows(results: LoadResults): string {
  return Object.entries(results.operations)
    .map(([name, op]) => {
      const statuses = Object.entries(op.statuses)
        .map(([code, count]) => `${escapeHtml(code)}: ${count}`)
        .join(', ');
      return `<tr><td>${escapeHtml(name)}</td><td>${op.count}</td><td>${op.ratePerSecond}</td><td>${op.latencyMs.p50}</td><td>${op.latencyMs.p95}</td><td>${op.latencyMs.p99}</td><td>${op.latencyMs.max}</td><td>${op.failures}</td><td>${statuses}</td></tr>`;
    })
    .join('\n');
}

function list(items: readonly string[], limit: number): string {
  if (items.length === 0) return '';
  const shown = items
    .slice(0, limit)
    .map((item) => `<li>${escapeHtml(item)}</li>`)
    .join('');
  const more = items.length > limit ? `<li>… and ${items.length - limit} more in results.json</li>` : '';
  return `<ul>${shown}${more}</ul>`;
}

function invariantRows(results: LoadResults): string {
  return results.invariants
    .map((check) => {
      const details =
        check.violations.length + check.excluded.length === 0
          ? ''
          : `<details${check.passed ? '' : ' open'}><summary>${check.violations.length} violated, ${check.excluded.length} excluded</summary>` +
            `${check.violations.length > 0 ? `<p>Violations</p>${list(check.violations, 50)}` : ''}` +
            `${check.excluded.length > 0 ? `<p>Excluded (no answer, or not readable)</p>${list(check.excluded, 50)}` : ''}</details>`;
      return `<tr class="${check.passed ? 'pass' : 'fail'}"><td>${check.passed ? 'PASS' : 'FAIL'}</td><td><b>${escapeHtml(check.name)}</b><br><small>${escapeHtml(check.description)}</small>${details}</td><td>${check.checked}</td></tr>`;
    })
    .join('\n');
}

/** The page's own script: draws the three charts from the inlined results. */
const DRAW = `
const results = JSON.parse(document.getElementById('results').textContent);
const palette = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf','#7f7f7f','#bcbd22'];
const ops = Object.keys(results.timeline);
const color = (i) => palette[i % palette.length];
const linear = (title) => ({ type: 'linear', title: { display: true, text: title }, beginAtZero: true });
const common = { animation: false, responsive: true, maintainAspectRatio: false, parsing: true,
  interaction: { mode: 'nearest', intersect: false }, plugins: { legend: { position: 'bottom' } } };
let drawn = 0;
new Chart(document.getElementById('latency'), { type: 'line', options: { ...common,
    scales: { x: linear('seconds since start'), y: linear('latency, ms (p99 solid, p50 dashed)') } },
  data: { datasets: ops.flatMap((op, i) => [
    { label: op + ' p99', borderColor: color(i), backgroundColor: color(i), pointRadius: 0, borderWidth: 2,
      data: results.timeline[op].filter((p) => p.count > 0).map((p) => ({ x: p.second, y: p.p99Ms })) },
    { label: op + ' p50', borderColor: color(i), backgroundColor: color(i), pointRadius: 0, borderWidth: 1, borderDash: [4, 3],
      data: results.timeline[op].filter((p) => p.count > 0).map((p) => ({ x: p.second, y: p.p50Ms })) }]) } });
drawn += 1;
new Chart(document.getElementById('throughput'), { type: 'line', options: { ...common,
    scales: { x: linear('seconds since start'), y: { ...linear('answered per second (failed: dotted)'), stacked: false } } },
  data: { datasets: [{ label: 'all requests', borderColor: '#000', backgroundColor: '#000', pointRadius: 0, borderWidth: 2,
      data: Array.from({ length: Math.max(0, ...ops.map((op) => results.timeline[op].length)) }, (_, s) => ({ x: s,
        y: ops.filter((op) => op !== 'shoulder-tap').reduce((n, op) => n + ((results.timeline[op][s] || {}).count || 0), 0) })) },
    ...ops.flatMap((op, i) => [
    { label: op, borderColor: color(i), backgroundColor: color(i), pointRadius: 0, borderWidth: 1.5,
      data: results.timeline[op].map((p) => ({ x: p.second, y: p.count })) },
    ...(results.operations[op].failures > 0 ? [{ label: op + ' failed', borderColor: color(i), pointRadius: 0,
      borderWidth: 1, borderDash: [1, 2], data: results.timeline[op].map((p) => ({ x: p.second, y: p.failures })) }] : [])])] } });
drawn += 1;
const codes = [...new Set(ops.flatMap((op) => Object.keys(results.operations[op].statuses)))].sort();
// Status colours by meaning: 2xx greens, 304 blue, 429 amber, other 4xx orange, 5xx red, no answer black.
const codeColor = (code, i) => ({ '200': '#2e7d32', '201': '#66bb6a', '204': '#a5d6a7', '304': '#1f77b4', '101': '#17becf',
  '429': '#ffb300', error: '#000000', tap: '#9467bd' })[code] || (code.startsWith('5') ? '#c62828' : code.startsWith('4') ? '#ef6c00' : color(i));
new Chart(document.getElementById('statuses'), { type: 'bar', options: { ...common,
    scales: { x: { stacked: true }, y: { ...linear('answers'), stacked: true } } },
  data: { labels: ops, datasets: codes.map((code, i) => ({ label: code, backgroundColor: codeColor(code, i),
    data: ops.map((op) => results.operations[op].statuses[code] || 0) })) } });
drawn += 1;
document.body.dataset.charts = String(drawn);
`;

export function renderReport(results: LoadResults): string {
  const t = results.totals;
  const settings = Object.entries(results.settings)
    .map(([name, value]) => `${escapeHtml(name)} ${escapeHtml(String(value))}`)
    .join(' · ');
  const figures = Object.entries(results.figures)
    .map(([name, value]) => `<tr><td>${escapeHtml(name)}</td><td>${value}</td></tr>`)
    .join('');
  const rb = results.readBack;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Load test: ${escapeHtml(results.scenario)} ${results.passed ? 'passed' : 'FAILED'}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.verdict { display: inline-block; padding: 0.15em 0.6em; border-radius: 4px; color: #fff; font-weight: bold; }
.verdict.pass, tr.pass td:first-child { background: #2e7d32; color: #fff; }
.verdict.fail, tr.fail td:first-child { background: #c62828; color: #fff; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td:first-child { white-space: nowrap; }
.chart { position: relative; height: 340px; } .meta { color: #555; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; } @media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
small { color: #555; } details { margin-top: 0.3em; } ul { margin: 0.2em 0 0.4em 1.2em; padding: 0; }
</style></head>
<body>
<h1>Load test: ${escapeHtml(results.scenario)} <span class="verdict ${results.passed ? 'pass' : 'fail'}">${results.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p class="meta">${escapeHtml(results.target)} · started ${escapeHtml(results.startedAt)} · ${results.durationSeconds} s of load, ${results.elapsedSeconds} s until the last answer · tokens: ${escapeHtml(results.secretSource)}<br>${settings}</p>
<p><b>${t.requests}</b> requests, <b>${t.ratePerSecond}</b>/s · <b>${t.failures}</b> failed (error rate ${t.errorRate}) · ${t.throttled} answered 429${
    results.thresholds.failures.length > 0
      ? `<br><b>Thresholds broken:</b> ${results.thresholds.failures.map(escapeHtml).join('; ')}`
      : ''
  }</p>
<h2>Invariants</h2>
<p class="meta">Read back at the end: ${rb.sessions} sessions (${rb.present} present, ${rb.absent} gone, ${rb.unreadable} unreadable), after every request in flight was answered or timed out.</p>
<table><tr><th>Result</th><th>Invariant</th><th>Checked</th></tr>
${invariantRows(results)}
</table>
<h2>Latency over time</h2>
<div class="chart"><canvas id="latency"></canvas></div>
<h2>Throughput over time</h2>
<div class="chart"><canvas id="throughput"></canvas></div>
<div class="grid"><div>
<h2>Status codes per operation</h2>
<div class="chart"><canvas id="statuses"></canvas></div>
</div><div>
<h2>Figures</h2>
<table>${figures}</table>
</div></div>
<h2>Operations</h2>
<table><tr><th>Operation</th><th>Count</th><th>Per second</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>Max ms</th><th>Failed</th><th>Statuses</th></tr>
${operationRows(results)}
</table>
<script id="results" type="application/json">${JSON.stringify(results).replace(/</g, '\\u003c')}</script>
<script>${inScript(chartJsSource())}</script>
<script>${DRAW}</script>
</body></html>
`;
}
