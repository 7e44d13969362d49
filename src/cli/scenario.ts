/**
 * scenario-cli — `ringbench scenario [knobs…] [--json]`: one trial, its result on stdout (a readable
 * summary, or the TrialResult as JSON). Bad knobs exit 2 before anything loads; a kernel that
 * refuses exits 1 with one line naming what is missing. Ctrl-C or SIGTERM stops the load and
 * prints the partial result (exit 130 or 143); a trial cut by --timeout-ms is a normal result
 * (exit 0) whose note says so.
 */
import { findSustainableRate, SearchInterrupted, type SearchStep } from '../harness/sustainable.js';
import { sustained } from '../harness/search-rule.js';
import { ConfigError, KNOBS, flagOf, limits, resolveConfig } from '../harness/knobs.js';
import { fmtBytes, fmtNs, fmtPct, fmtSi } from '../format/units.js';
import { abortScenarios, runScenario } from '../harness/trial.js';
import type { SustainableRate, TrialResult } from '../harness/types.js';
import { EXIT, reportError } from './errors.js';
import { onInterrupt } from './signals.js';

export function formatTrial(r: TrialResult): string {
  const c = r.config;
  const ok = (b: boolean) => (b ? '✓' : '✗');
  const rings = r.memory.rings ?? 1;
  const memory = c.transport === 'ringbuf'
    ? `ringbuf ${fmtBytes(c.ringbufBytes)}${rings > 1 || c.ringbufSharing !== 'shared' ? ` as ${rings} ring${rings === 1 ? '' : 's'} of ${fmtBytes(r.memory.bytesPerRing ?? 0)} (${c.ringbufSharing})` : ''}`
    : `perfbuf ${c.perfbufPages} pages/CPU (${fmtBytes(c.perfbufPages * limits().pageSize)} each)`;
  const lines = [
    `${c.transport} · ${c.load === 'storm' ? `${c.stormMode} storm · ${c.children} children${c.stormCpus ? ` on CPUs ${c.stormCpus}` : ''}` : `saturation · ${c.events} events`} · ${c.workers} worker${c.workers > 1 ? 's' : ''} · ${memory} · ${c.eventBytes} B events · ${c.consumer}/${c.reader} reader · attached via ${r.attachedVia}`,
    `  counts      generated ${r.counts.generated}  seenByBpf ${r.counts.seenByBpf}  delivered ${r.counts.delivered}  droppedKernel ${r.counts.droppedKernel}  lostReported ${r.counts.lostReported}${r.counts.notDrained ? `  notDrained ${r.counts.notDrained}` : ''}  missing ${r.counts.missing}`,
    `  rates       generated ${fmtSi(r.rates.generatedPerSec)}/s  delivered ${fmtSi(r.rates.deliveredPerSec)}/s`,
    `  ordering    inversions ${r.ordering.inversions} (${fmtPct(r.ordering.inversionRatio)})  max displacement ${r.ordering.maxDisplacement}  max time step back ${fmtNs(r.ordering.maxTimeRegressionNs)}`,
    `  latency     p50 ${fmtNs(r.latencyNs.p50)}  p90 ${fmtNs(r.latencyNs.p90)}  p99 ${fmtNs(r.latencyNs.p99)}  p99.9 ${fmtNs(r.latencyNs.p999)}  max ${fmtNs(r.latencyNs.max)}`,
    `  memory      buffer ${fmtBytes(r.memory.bufferBytes)}  peak occupancy ${fmtBytes(r.memory.peakOccupancyBytes)}${(r.counts.perCpuDelivered ?? r.counts.perRingDelivered ?? []).length > 1 ? `  read per ${r.counts.perCpuDelivered ? 'CPU' : 'ring'} ${(r.counts.perCpuDelivered ?? r.counts.perRingDelivered)!.join(' / ')}` : ''}`,
    ...(r.stalls ? [`  stalls      longest commit-to-read ${fmtNs(r.stalls.maxCommitToReadNs)}  read gaps p50 ${fmtNs(r.stalls.pendingGapNs.p50)}  p99 ${fmtNs(r.stalls.pendingGapNs.p99)}  max ${fmtNs(r.stalls.maxPendingGapNs)}`] : []),
    `  cpu         consumer ${fmtNs(r.cpu.consumerNsPerEvent)}/event  BPF ${fmtNs(r.cpu.bpfNsPerEvent)}/event  sink ${fmtNs(r.cpu.sinkNsPerEvent ?? NaN)}/event  wake-ups ${fmtSi(r.cpu.wakeups)}`,
    `  time        load phase ${fmtNs(r.loadPhaseNs)}  wall ${fmtNs(r.wallNs)}`,
    ...(r.host?.cpuPairNs ? [`  cpus        producer CPU ${c.producerCpu} ↔ consumer CPU ${c.consumerCpu}: a cache line's round trip ${fmtNs(r.host.cpuPairNs)} (where the host put them)`] : []),
    `  accounting  ${ok(r.accounting.kernelBalanced)} delivered + ${r.counts.notDrained ? 'notDrained + ' : ''}droppedKernel = seenByBpf   ${ok(r.accounting.filterBalanced)} seenByBpf = generated`,
    ...r.accounting.notes.map((n) => `  note        ${n}`),
  ];
  return lines.join('\n');
}

export function formatSustainable(transport: string, s: SustainableRate): string {
  const lines = [
    `${transport}: ceiling ${fmtSi(s.ceilingPerSec)}/s generated, ${fmtSi(s.ceilingDeliveredPerSec)}/s delivered (unthrottled)`,
    s.ratePerSec > 0
      ? `sustainable: ${fmtSi(s.ratePerSec)}/s with no drops (confirmed: ${s.confirmation.delivered} delivered, ${s.confirmation.droppedKernel} dropped at ${fmtSi(s.confirmation.generatedPerSec)}/s)`
      : 'sustainable: none found: every tested rate dropped events or fell short of its cap',
    ...s.steps.map(formatStep),
  ];
  return lines.join('\n');
}

function formatStep(x: Pick<SearchStep, 'rateCap' | 'generatedPerSec' | 'droppedKernel'>): string {
  return `  step  cap ${x.rateCap ? fmtSi(x.rateCap) + '/s' : 'none'}  → ${fmtSi(x.generatedPerSec)}/s, ${x.droppedKernel} dropped  ${sustained(x) ? '✓' : '✗'}`;
}

/** Options as commander hands them over: strings per knob, plus json. */
export async function scenarioCommand(opts: Record<string, unknown>): Promise<number> {
  const input: Record<string, unknown> = {};
  for (const k of KNOBS) if (opts[k.key] !== undefined) input[k.key] = opts[k.key];
  const stopper = new AbortController();
  const interrupts = onInterrupt(() => {
    stopper.abort();
    abortScenarios();
  }, 'stopping the load and draining; the partial result follows');
  const print = (text: string) => new Promise<void>((resolve) => process.stdout.write(text + '\n', () => resolve()));
  try {
    // the flags as given: conflicts are refused here (a resolved config carries every knob)
    const config = resolveConfig(input, { conflicts: 'flags' });
    if (opts.sustainable) {
      if (config.load !== 'saturation') throw new ConfigError('load', '--sustainable', '--sustainable needs --load saturation');
      try {
        const found = await findSustainableRate(config, { signal: stopper.signal });
        await print(opts.json ? JSON.stringify(found, null, 2) : formatSustainable(config.transport, found));
      } catch (e) {
        if (!(e instanceof SearchInterrupted)) throw e;
        await print(opts.json ? JSON.stringify({ interrupted: true, steps: e.steps }, null, 2) : [`${config.transport}: ${e.message}`, ...e.steps.map(formatStep)].join('\n'));
      }
      return interrupts.exitCode ?? EXIT.ok;
    }
    const result = await runScenario(config);
    await print(opts.json ? JSON.stringify(result, null, 2) : formatTrial(result));
    return interrupts.exitCode ?? EXIT.ok;
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
  }
}

/** Commander option specs for every knob: [flags, description]. */
export function knobOptions(only?: readonly string[]): [string, string][] {
  return KNOBS.filter((k) => k.kind !== 'bool' && (!only || only.includes(k.key))).map((k) => [`${flagOf(k.key)} <value>`, k.doc]);
}
