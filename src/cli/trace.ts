/**
 * trace-cli — `ringbench trace [--transport T] [--exec] [--min-duration MS] [--duration SEC] [--json]`:
 * the live exitsnoop/bootstrap view. Polls a TraceSession on a short timer and writes one line per
 * event to stdout; Ctrl-C, SIGTERM, --duration or a closed stdout (`| head`) stop it the same way:
 * close the tracer (which drains the buffer and frees the programs), print what was left, and put
 * a one-line summary on stderr. Bad flags exit 2 before anything loads; a kernel or privilege
 * refusal exits 1 with the addon's one-line reason; Ctrl-C exits 130 and SIGTERM 143, like every
 * command; --duration and a closed stdout are normal ends (0).
 */
import { ConfigError } from '../harness/knobs.js';
import { EXIT, oneLine, reportError } from './errors.js';
import { onInterrupt } from './signals.js';
import { formatTraceJson, formatTraceLine, formatTraceSummary, startTrace, TRACE_HEADER, traceOptionsFrom, type TraceRecord, type TraceSession } from '../harness/trace.js';

/** How often the view takes events from the native queue: short enough to feel live. */
export const TRACE_POLL_MS = 100;

/** Options as commander hands them over. */
export interface TraceCommandFlags {
  transport?: unknown;
  exec?: unknown;
  minDuration?: unknown;
  duration?: unknown;
  json?: unknown;
}

/** Runs the view until it is stopped; resolves to the exit code. */
export async function traceCommand(flags: TraceCommandFlags): Promise<number> {
  let options;
  try {
    options = traceOptionsFrom(flags);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return reportError(e);
  }
  let session: TraceSession;
  try {
    session = startTrace(options);
  } catch (e) {
    process.stderr.write(oneLine((e as Error).message) + '\n');
    return EXIT.failed;
  }
  const json = flags.json === true;
  const what = options.exec ? 'process execs and exits' : 'process exits';
  const hiding = options.minDurationMs > 0 ? `, hiding exits younger than ${options.minDurationMs} ms` : '';

  return new Promise<number>((resolve) => {
    const out = process.stdout;
    let stdoutClosed = false;
    let written = 0;
    let finished = false;

    const write = (records: TraceRecord[]) => {
      if (stdoutClosed || records.length === 0) return;
      let chunk = '';
      for (const r of records) chunk += (json ? formatTraceJson(r) : formatTraceLine(r)) + '\n';
      written += records.length;
      out.write(chunk);
    };

    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      clearInterval(poller);
      if (stopTimer) clearTimeout(stopTimer);
      try {
        write(session.stop());
      } catch (e) {
        process.stderr.write(oneLine((e as Error).message) + '\n');
        code = 1;
      }
      process.stderr.write(formatTraceSummary({ ...session.summary(), shown: written }) + '\n');
      interrupts.dispose();
      resolve(code);
    };

    // A reader that goes away (`ringbench trace | head`) makes writes fail with EPIPE: that is a
    // normal end of the view, not an error. The listener stays attached after finish so a late
    // write error cannot surface as an uncaught exception.
    out.on('error', (e: NodeJS.ErrnoException) => {
      stdoutClosed = true;
      if (e.code !== 'EPIPE') process.stderr.write(oneLine(`writing the trace failed: ${e.message}`) + '\n');
      finish(e.code === 'EPIPE' ? 0 : 1);
    });
    const interrupts = onInterrupt(() => finish(interrupts.exitCode ?? EXIT.sigint));
    // Said only once Ctrl-C is handled: a wrapper may send it as soon as it reads this line.
    process.stderr.write(`ringbench: tracing ${what} system-wide via ${options.transport} (${session.attachedVia})${hiding}; Ctrl-C to stop\n`);

    const poller = setInterval(() => {
      // While the terminal or pipe is behind, leave events in the native queue: it is bounded and
      // counts what it cannot hold (captureOverflow), where JavaScript buffers would just grow.
      if (out.writableNeedDrain) return;
      try {
        write(session.poll());
      } catch (e) {
        process.stderr.write(oneLine((e as Error).message) + '\n');
        finish(1);
      }
    }, TRACE_POLL_MS);
    const stopTimer = options.durationSec !== undefined ? setTimeout(() => finish(0), options.durationSec * 1000) : undefined;

    if (!json) out.write(TRACE_HEADER + '\n');
  });
}
