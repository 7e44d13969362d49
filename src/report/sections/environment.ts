/**
 * report/sections/environment — the machine and software each result set was measured on.
 */
import type { ResultSet, ResultsFile } from '../../results/schema.js';
import type { Block, TableSpec } from '../document.js';

/** The Environment section: one column per result set. */
export function environmentBlocks(sets: readonly ResultSet[]): Block[] {
  return [{ h: 2, text: 'Environment' }, { table: environmentTable(sets) }];
}

function environmentTable(sets: readonly ResultSet[]): TableSpec {
  const fields: [string, (r: ResultsFile) => string][] = [
    ['host', (r) => r.environment.hostname],
    ['kernel', (r) => r.environment.kernel],
    ['CPU', (r) => `${r.environment.cpuModel ?? '?'} × ${r.environment.cpuCount ?? '?'}`],
    ['libbpf', (r) => `${r.environment.libbpf}${r.environment.libbpfSource ? ` (${r.environment.libbpfSource})` : ''}`],
    ['clang', (r) => r.environment.clang],
    ['bpftool', (r) => r.environment.bpftool],
    ['Node.js', (r) => r.environment.node],
    ['ringbench', (r) => `${r.environment.ringbench ?? '?'}${r.environment.gitCommit ? ` (${String(r.environment.gitCommit).slice(0, 12)})` : ''}`],
    ['date', (r) => r.environment.date ?? r.startedAt],
    ['suite', (r) => `${r.suite}${r.complete ? '' : ' (incomplete run)'}`],
    ['scenarios', (r) => String(r.scenarios.length)],
  ];
  const multi = sets.length > 1;
  return {
    head: ['', ...sets.map((s) => (multi ? `${s.tag}: ${s.label}` : ''))],
    numeric: [false, ...sets.map(() => false)],
    rows: fields.map(([name, get]) => [{ strong: name }, ...sets.map((s) => String(get(s.results) ?? '—'))]),
  };
}
