/**
 * cli/signals — what every command does on Ctrl-C and SIGTERM. The first signal asks the command
 * to stop (the load stops, the buffer drains, finished work is saved and partial results printed);
 * a second one ends the process at once, by that signal itself: process.exit() would wait for
 * the native trial under way (libuv joins its worker threads at exit), while death by the signal
 * does not, and the kernel still frees the programs and kills the storm (PR_SET_PDEATHSIG). The
 * exit code is 128 + the signal number: 130 for SIGINT, 143 for SIGTERM (a shell shows the same
 * numbers for the second-signal death).
 */
import { EXIT } from './errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODE: Record<StopSignal, number> = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm };

export interface Interrupts {
  /** the first signal received, if any */
  readonly received: StopSignal | undefined;
  /** 130 or 143 once a signal arrived, else undefined */
  readonly exitCode: number | undefined;
  /** stop listening (the process's default handling returns) */
  dispose(): void;
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM, after printing `message` (if given); ends the
 * process on the second. Keep it until the command has finished writing, then dispose() it.
 */
export function onInterrupt(stop: (signal: StopSignal) => void, message?: string): Interrupts {
  let received: StopSignal | undefined;
  const handler = (signal: StopSignal) => {
    if (received) {
      process.stderr.write(`\nringbench: second ${signal}: exiting now\n`);
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.kill(process.pid, signal); // default action now: the process ends here
      setTimeout(() => process.exit(EXIT_CODE[signal]), 500).unref(); // should the signal be blocked
      return;
    }
    received = signal;
    if (message) process.stderr.write(`\nringbench: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: ${message} (again to exit at once)\n`);
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get received() {
      return received;
    },
    get exitCode() {
      return received ? EXIT_CODE[received] : undefined;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
