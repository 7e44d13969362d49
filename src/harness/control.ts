/**
 * harness/control — the control trials that measure the machine, not the transport: the storm
 * binary run bare (no BPF program loaded, the same vfork storm a storm scenario observes) and its
 * getpgid() trigger loop (the saturation load's trigger, no BPF attached). A run interleaves one of
 * each before every scenario (suite/run.ts); compare reads their drift to tell "the machine
 * changed" from "the transport changed".
 *
 * The binary is spawned directly (not through the addon): nothing is attached, so nothing of the
 * addon is needed, and it leads its own process group and dies with this process (PDEATHSIG).
 */
import { spawn } from 'node:child_process';
import { STORM_PATH } from './addon.js';

/** How big a control trial is: short (about 0.1 s each on a 2-vCPU VM), two workers. */
export const CONTROL_CONFIG = { stormChildren: 1000, triggerCalls: 300_000, workers: 2, timeoutMs: 10_000 } as const;

export type ControlKind = 'storm' | 'trigger';

export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Runs one control trial; resolves with children (storm) or calls (trigger) per second. */
export function runControl(kind: ControlKind, signal?: AbortSignal): Promise<number> {
  const total = kind === 'storm' ? CONTROL_CONFIG.stormChildren : CONTROL_CONFIG.triggerCalls;
  const args = ['--mode', kind === 'storm' ? 'vfork' : 'getpgid', '--children', String(total),
    '--workers', String(CONTROL_CONFIG.workers), '--timeout-ms', String(CONTROL_CONFIG.timeoutMs), '--result-fd', '1'];
  return new Promise((resolve, reject) => {
    const child = spawn(STORM_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const stop = () => child.kill('SIGTERM'); // the binary stops its workers and reports
    signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (e) => reject(new ControlError(`control ${kind}: cannot start ${STORM_PATH}: ${e.message}`)));
    child.on('close', (code) => {
      signal?.removeEventListener('abort', stop);
      if (signal?.aborted) {
        resolve(NaN); // stopped on purpose: the caller drops the sample
        return;
      }
      const fields = Object.fromEntries(out.trim().split(/\s+/).map((kv) => kv.split('=')));
      const generated = Number(fields.generated);
      const elapsedNs = Number(fields.elapsed_ns);
      if (code !== 0 || !(generated > 0) || !(elapsedNs > 0)) {
        reject(new ControlError(`control ${kind}: ${STORM_PATH} exited ${code}: ${(err || out).trim() || 'no result line'}`));
        return;
      }
      if (fields.stopped !== 'done') {
        reject(new ControlError(`control ${kind}: stopped (${fields.stopped}) after ${generated} of ${total}`));
        return;
      }
      resolve((generated * 1e9) / elapsedNs);
    });
  });
}
