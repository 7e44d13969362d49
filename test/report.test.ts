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
  assert.ok(pngs.length >= 10, `${pngs.length} chart images`);
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
    const figures = page.locator('figure');
    const nFig = await figures.count();
    assert.ok(nFig >= 6, `${nFig} figures in the main body`);
    for (let i = 0; i < 6; i++) {
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

test('the first screen answers; the page is short; nothing is wider than a phone', async () => {
  const { r } = await writeMixedReport(path.join(tmp, 'layout'));
  const md = await readFile(r.md, 'utf8');
  // Markdown: the TL;DR within the first 20 lines, with at least 3 bullets that carry numbers.
  const lines = md.split('\n');
  const at = lines.findIndex((l) => l === '## TL;DR');
  assert.ok(at >= 0 && at < 20, `## TL;DR at line ${at + 1}`);
  const bullets = lines.slice(at + 1, 20).filter((l) => l.startsWith('- ') && /\d/.test(l));
  assert.ok(bullets.length >= 3, `${bullets.length} numeric bullets in the first 20 lines`);
  const appendix = md.indexOf('## Appendix: method');
  assert.ok(appendix > 0, 'an appendix heading');
  const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
  assert.ok(words(md.slice(0, appendix)) <= 3000, `${words(md.slice(0, appendix))} words before the appendix`);
  assert.ok(words(md) <= 6000, `${words(md)} words in all`);
  const dq = md.slice(md.indexOf('## Data quality'), md.indexOf('\n## ', md.indexOf('## Data quality') + 3)).trimEnd().split('\n');
  assert.ok(dq.length <= 15, `Data quality is ${dq.length} lines`);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(r.html).href, { waitUntil: 'load' });
    const box = (await page.locator('#tldr').boundingBox())!;
    assert.ok(box.y + box.height < 800, `#tldr ends at ${box.y + box.height} px`);
    const fig = (await page.locator('figure').first().boundingBox())!;
    assert.ok(fig.y < 1600, `the first figure starts at ${fig.y} px`);
    assert.ok(await page.locator('figure a.permalink').count() > 0 && (await page.locator('figure a[href$=".svg"]').count()) > 0, 'figures link their permalink and files');
    assert.is(await page.locator('details[open]').count(), 0);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 16000, `page is ${height} px tall`);
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `at 390 px the document is ${wide} px wide`);
  } finally {
    await browser.close();
  }
});

test.run();
