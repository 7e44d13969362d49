/**
 * precision — the pure rules behind the ceiling figures: when a search run carried its rate
 * (harness/search-rule), and when repeats fall into two clusters (analysis/stats twoClusters).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAP_REACHED, sustained } from '../../src/harness/search-rule.js';
import { twoClusters } from '../../src/analysis/stats.js';

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

test.run();
