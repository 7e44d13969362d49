/**
 * report tests (browser) — the finished report.html in a real headless Chromium: it fetches
 * nothing, logs no error and shows every chart. The report itself is built from synthetic results
 * (report-fixtures.ts); the pure report and chart tests are in test/unit/.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { decodePng, distinctColours, writeMixedReport } from './report-fixtures.js';

let tmp = '';
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ringbench-report-'));
});
test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('report.html opens in headless Chromium: no requests, no errors, every chart visible', async () => {
  const { r } = await writeMixedReport(tmp);
  const out = path.dirname(r.html);
  const md = await readFile(r.md, 'utf8');
  const pngs = md.match(/\(charts\/[a-z-]+\.png\)/g) ?? [];
  assert.is(pngs.length, 12);
  for (const png of pngs) assert.ok(existsSync(path.join(out, png.slice(1, -1))), png);
  assert.ok(md.includes('](../good/results.json)') && md.includes('](../good/results.csv)'), 'relative links to the raw data');

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const url = pathToFileURL(r.html).href;
    await page.goto(url, { waitUntil: 'load' });
    assert.equal(requests, [url], 'the page fetches nothing but itself');
    assert.equal(problems, []);
    assert.is(await page.locator('.verdict').count(), 7);
    const figures = page.locator('figure');
    assert.is(await figures.count(), 12);
    for (let i = 0; i < 12; i++) {
      const fig = figures.nth(i).locator('.chart');
      assert.ok(await fig.isVisible());
      const box = (await fig.boundingBox())!;
      assert.ok(box.width > 300 && box.height > 200, `figure ${i} is ${box.width}×${box.height}`);
      const shot = decodePng(await fig.screenshot());
      assert.ok(distinctColours(shot.rgba) > 20, `figure ${i} is not a single colour`);
    }
  } finally {
    await browser.close();
  }
});

test.run();
