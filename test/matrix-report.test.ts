/**
 * matrix-report — the kernel matrix report in Chromium, from a saved matrix folder
 * (matrix-fixtures.ts) re-rendered by `ringbench report MATRIX_DIR`: at 1280×800 the lead
 * sections ("What changed", the ratios, the capability table opened, the runs) are not clipped:
 * each table fits its box; at 390 px the page is no wider than the screen (tables scroll in their
 * own box). Needs Chromium (`bash scripts/setup.sh --test`); no BPF.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './cli.js';
import { writeMatrixFixture } from './matrix-fixtures.js';

test('matrix report: nothing clipped at 1280 px, nothing wider than the screen at 390 px', async () => {
  const dir = writeMatrixFixture(['6.1-cloud', '6.12-cloud', '6.12-rt', 'host']);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const r = await runCli(['report', dir], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    const url = pathToFileURL(join(dir, 'report.html')).href;
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.goto(url, { waitUntil: 'load' });
      await page.evaluate(() => document.querySelectorAll('.lead details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
      const m = await page.evaluate(() => {
        const lead = document.querySelector('.lead')!;
        const tables = [...lead.querySelectorAll('table')].map((t) => {
          const box = t.parentElement!;
          return { width: t.getBoundingClientRect().width, box: box.clientWidth, scrolls: getComputedStyle(box).overflowX === 'auto' };
        });
        return { doc: document.documentElement.scrollWidth, leadFirst: document.querySelector('h2')?.textContent ?? '', tables };
      });
      assert.ok(m.doc <= width, `at ${width} px the page is ${m.doc} px wide`);
      assert.match(m.leadFirst, /What changed/);
      assert.ok(m.tables.length >= 3, JSON.stringify(m.tables));
      for (const t of m.tables) {
        if (width === 1280) assert.ok(t.width <= t.box + 1, `at 1280 px a table is clipped: ${JSON.stringify(t)}`);
        else assert.ok(t.width <= t.box + 1 || t.scrolls, `at 390 px a table neither fits nor scrolls in its box: ${JSON.stringify(t)}`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
