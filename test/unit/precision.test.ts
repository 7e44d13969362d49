/**
 * precision — the pure rules behind the ceiling figures: when a search run carried its rate
 * (harness/search-rule), when repeats fall into two clusters (analysis/stats twoClusters), and
 * how many more a figure needs at its spread (analysis/precision valuesToTarget).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAP_REACHED, sustained } from '../../src/harness/search-rule.js';
import { twoClusters } from '../../src/analysis/stats.js';
import { valuesToTarget } from '../../src/analysis/precision.js';
import { precisionBlocks } from '../../src/report/sections/precision.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { makeResults, resultSet } from '../report-fixtures.js';

test('a run carries its rate with no drops and the cap reached; unthrottled needs no drops only', () => {
  assert.ok(sustained({ rateCap: 1_000_000, generatedPerSec: 990_000, droppedKernel: 0 }));
  assert.not.ok(sustained({ rateCap: 1_000_000, generatedPerSec: 1_000_000, droppedKernel: 1 }), 'one drop');
  assert.not.ok(sustained({ rateCap: 1_000_000, generatedPerSec: 568_000, droppedKernel: 0 }), 'the producer fell short of its cap');
  assert.ok(sustained({ rateCap: 1_000_000, generatedPerSec: CAP_REACHED * 1_000_000, droppedKernel: 0 }), 'exactly the share');
  assert.ok(sustained({ rateCap: 0, generatedPerSec: 5, droppedKernel: 0 }));
  assert.not.ok(sustained({ rateCap: 0, generatedPerSec: 5e6, droppedKernel: 3 }));
});

test('two clusters are found only when a wide gap splits the repeats into two real groups', () => {
  const c = twoClusters([1.1, 3.1, 1.2, 1.3, 3.0, 1.15, 3.2, 1.25]);
  assert.ok(c);
  assert.equal(c!.low, [1.1, 1.15, 1.2, 1.25, 1.3]);
  assert.equal(c!.high, [3.0, 3.1, 3.2]);
  assert.is(twoClusters([1, 1.1, 1.2, 1.3, 1.4, 1.5]), undefined, 'evenly spread');
  assert.is(twoClusters([1, 1.01, 1.02, 1.03, 1.04, 9]), undefined, 'one outlier is not a cluster');
  assert.is(twoClusters([1, 3, 1, 3]), undefined, 'too few repeats to say');
  assert.is(twoClusters([2, 2, 2, 2, 2]), undefined, 'no spread');
});

test('the values a figure still needs: n·(width / target)² in all, nothing once within it', () => {
  const agg = (n: number, relCi: number) => ({ n, mean: 1, stddev: 0, min: 1, max: 1, median: 1, ci95: [1 - relCi, 1 + relCi] as [number, number], relCi, outliers: 0 });
  assert.is(valuesToTarget(agg(10, 0.3), 0.15), 30, 'twice the target: four times the values');
  assert.is(valuesToTarget(agg(20, 0.16), 0.15), 3);
  assert.is(valuesToTarget(agg(10, 0.12), 0.15), 0);
  assert.is(valuesToTarget(agg(2, 0.5), 0.15), undefined, 'two values: no spread to go by');
  assert.is(valuesToTarget(undefined, 0.15), undefined);
});

test('the Precision list says when a scenario was left out of the rounds, and never rounds a miss onto the target', () => {
  const results = makeResults({ groups: ['ceilings'] });
  const [a, b] = results.scenarios;
  const md = () => renderMarkdown({ title: 'T', blocks: precisionBlocks([resultSet(results)]) });
  a.precision = { relCi: 0.15, maxRepeats: 40, maxSeconds: 80, stoppedBy: 'out-of-reach', needed: 31 };
  a.aggregates['rates.generatedPerSec'] = { ...a.aggregates['rates.generatedPerSec'], relCi: 0.29 };
  b.precision = { relCi: 0.15, maxRepeats: 40, maxSeconds: 80, stoppedBy: 'max-seconds' };
  b.aggregates['rates.generatedPerSec'] = { ...b.aggregates['rates.generatedPerSec'], relCi: 0.1504 };
  assert.match(md(), /the raw ceiling stayed at ±29% after 5 repeats: at its spread it needed about 31 more rounds, more than what was left of the group's 80 s, which went to the other scenarios\./);
  assert.match(md(), /the raw ceiling stayed at ±15\.1% after 5 repeats, when the group's 80 s ran out\./);
});

test.run();
