/**
 * report/sections/methodology — how the storm load, the twin programs, equal memory and every
 * measurement work, with the repeat count and storm settings of these results.
 */
import { isSaturation } from '../../analysis/groups.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Text } from '../document.js';

/** The Methodology section. */
export function methodologyBlocks(sets: readonly ResultSet[]): Block[] {
  const configs = sets.flatMap((s) => s.results.scenarios.map((r) => r.config).filter(Boolean));
  const modes = [...new Set(configs.map((c) => c.stormMode))].join(', ') || 'vfork';
  const children = configs.map((c) => c.children).filter((n) => n > 0);
  const childWords = children.length
    ? Math.min(...children) === Math.max(...children)
      ? `${Math.min(...children).toLocaleString('en-US')} children per trial`
      : `${Math.min(...children).toLocaleString('en-US')} to ${Math.max(...children).toLocaleString('en-US')} children per trial`
    : 'a fixed number of children per trial';
  // The repeats as they were: a range when precision rounds repeated some scenarios more.
  const ns = sets.flatMap((s) => s.results.scenarios.map((r) => r.aggregates?.['rates.deliveredPerSec']?.n ?? 0)).filter((n) => n > 0);
  const most = ns.length ? ns.sort((a, b) => ns.filter((x) => x === b).length - ns.filter((x) => x === a).length)[0] : 0;
  const lo = ns.length ? Math.min(...ns) : 0;
  const hi = ns.length ? Math.max(...ns) : 0;
  const repeatWords = !ns.length ? 'repeated several times' : lo === hi ? `repeated ${lo} time${lo === 1 ? '' : 's'}` : `repeated ${lo}–${hi} times (${ns.filter((n) => n === most).length} of ${ns.length} scenarios ${most} times; precision rounds repeat the widest more)`;
  return [
    { h: 2, text: 'Methodology' },
    {
      p: [
        { strong: 'The load. ' },
        'A storm is a bounded burst of real process exits made by a native generator: worker threads create children with ',
        { code: modes },
        ` (${childWords}), and each child exits immediately. Each exit fires the `,
        { code: 'sched/sched_process_exit' },
        ' tracepoint, where one of two twin BPF programs builds the event. The storm is bounded by a child count and a timeout, and all children are reaped before the trial ends.',
      ],
    },
    {
      p: [
        { strong: 'The twins. ' },
        'Same tracepoint, same filters, same fill routine and event (pid, ppid, exit code, duration, comm, a global sequence number, a ',
        { code: 'bpf_ktime_get_ns()' },
        ' timestamp, the CPU, padding). Only the transport differs: ',
        { code: 'bpf_ringbuf_reserve/submit' },
        ' into one ',
        { code: 'BPF_MAP_TYPE_RINGBUF' },
        ' shared by all CPUs, or ',
        { code: 'bpf_perf_event_output' },
        ' into the per-CPU buffers of a ',
        { code: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY' },
        '.',
      ],
    },
    {
      p: [
        { strong: 'Equal memory. ' },
        'The perf buffer’s data bytes over all CPUs equal the ring buffer’s. Memory is reported as the kernel allocates it: ring buffer = data + metadata pages; perf buffer = ',
        { code: 'ncpu × (pages + 1) × page size' },
        ' (one metadata page per CPU).',
      ],
    },
    {
      ul: [
        [{ strong: 'Counts and drops' }, ' come from per-CPU counters in BPF (events seen, reserve or output failures); the drop rate is failures ÷ events seen, per repeat, and delivered + dropped = seen is checked for every trial.'],
        [{ strong: 'Ordering' }, ' uses the sequence number taken in BPF: an inversion is an event numbered lower than one already delivered. ', { strong: 'Latency' }, ' is receive time minus ', { code: 'bpf_ktime_get_ns()' }, ' (both ', { code: 'CLOCK_MONOTONIC' }, '). ', { strong: 'CPU' }, ': the consumer thread’s CPU clock and ', { code: 'bpf_stats' }, ' run time, per event.'],
        ...(sets.some((st) => st.results.scenarios.some(isSaturation))
          ? [[{ strong: 'Ceilings' }, ' use a different load, a ', { code: 'getpgid()' }, ' trigger instead of process exits; it, the drain mode and the sustainable-rate search are described in the ', { link: 'Ceilings', href: '#method-ceilings' }, ' section of this appendix.'] as Text]
          : []),
        [{ strong: 'Statistics' }, `: each scenario was ${repeatWords}; tables show the mean ± the half-width of its 95% confidence interval (Student t). A verdict calls a difference only when the two intervals do not overlap.`],
      ],
    },
  ];
}
