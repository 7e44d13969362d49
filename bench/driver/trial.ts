/**
 * trial — one ringbench trial for a benchmark: runs the scenario through the harness and turns a
 * trial that did not finish (Ctrl-C, timeout, the kernel refusing) into a BenchError, so the
 * driver stops the rounds with one line instead of summarising a partial trial.
 */
import { runScenario } from '../../src/harness/trial.js';
import type { ScenarioConfig, TrialResult } from '../../src/harness/types.js';
import { BenchError } from './driver.js';

export { abortScenarios } from '../../src/harness/trial.js';

export async function trial(config: Partial<ScenarioConfig>): Promise<TrialResult> {
  const r = await runScenario(config);
  if (r.aborted) throw new BenchError(`the ${config.transport ?? 'ringbuf'} trial did not finish: ${r.accounting.notes.join('; ')}`);
  return r;
}
