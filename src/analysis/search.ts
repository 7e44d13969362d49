/**
 * analysis/search — reading a recorded sustainable-rate search: which rule judged its runs (the
 * harness's search-rule, or no drops alone in results from before it) and that rule in words.
 */
import { sustained } from '../harness/search-rule.js';
import type { ScenarioRecord } from '../results/schema.js';

type Step = Parameters<typeof sustained>[0];

/** The rule a recorded search was judged by: this one, or (results without `capReached`, from
 *  before it) no drops alone. */
export function ruleOf(search: { capReached?: number }): (step: Step) => boolean {
  return search.capReached !== undefined ? sustained : (step) => step.droppedKernel === 0;
}

/** The rule in words, for reports: "dropped nothing and reached at least 97% of its cap". */
export function ruleWords(search: { capReached?: number }): string {
  return search.capReached !== undefined ? `dropped nothing and reached at least ${Math.round(search.capReached * 100)}% of its cap` : 'dropped nothing';
}

/** The rule the records' searches used, in words (the newer rule when results mix both). */
export function recordsRuleWords(recs: readonly ScenarioRecord[]): string {
  const searches = recs.map((r) => r.sustainable).filter((x) => x !== undefined);
  return ruleWords(searches.find((x) => x.capReached !== undefined) ?? searches[0] ?? {});
}
