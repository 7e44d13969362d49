/**
 * cli — the tests' way to run the real `ringbench` command (dist/src/cli.js) as a child process:
 * its exit code and output, with SIGINT sent when a condition turns true (polled every 50 ms) or
 * when a time limit passes, like a user pressing Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../src/harness/addon.js';

export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface CliOptions {
  /** Ctrl-C once this returns true */
  interruptWhen?: () => boolean;
  /** Ctrl-C after this long */
  timeoutMs?: number;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const interrupt = () => {
      child.kill('SIGINT');
      stopWatching();
    };
    const poll = opts.interruptWhen && setInterval(() => opts.interruptWhen!() && interrupt(), 50);
    const deadline = opts.timeoutMs !== undefined ? setTimeout(interrupt, opts.timeoutMs) : undefined;
    function stopWatching() {
      if (poll) clearInterval(poll);
      if (deadline) clearTimeout(deadline);
    }
    child.on('close', (code) => {
      stopWatching();
      resolve({ code, stdout, stderr });
    });
  });
}
