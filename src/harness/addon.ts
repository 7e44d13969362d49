/**
 * native — loads the N-API addon (build/Release/ringbench.node, built by cmake-js) and declares
 * what it exports. Nothing above this module touches the addon directly.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether running from src/ (ts) or dist/src/ (compiled). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('ringbench: cannot find the package root');
    dir = up;
  }
  return dir;
})();

export const ADDON_PATH = join(ROOT, 'build', 'Release', 'ringbench.node');
export const STORM_PATH = join(ROOT, 'build', 'Release', 'ringbench-storm');

export interface ProbeItem {
  name: string;
  available: boolean;
  reason: string;
}

/** Raw trial output of the native harness; scenario.ts shapes it into a TrialResult. */
export interface NativeTrial {
  [key: string]: unknown;
}

export interface NativeTracerEvent {
  kind: 'exit' | 'exec';
  seq: number;
  tsNs: number;
  durationNs: number;
  pid: number;
  ppid: number;
  exitCode: number;
  exitSignal: number;
  cpu: number;
  comm: string;
  filename: string;
}

export interface NativeTracer {
  /** decoded events captured since the last call (at most `max`) */
  take(max: number): NativeTracerEvent[];
  /** counters so far: delivered, seenByBpf, droppedKernel, lostReported, captureOverflow */
  stats(): Record<string, number>;
  close(): void;
}

/** A storm held at its start line until go(); kill() (or garbage) kills its process group. */
export interface NativeStorm {
  readonly pid: number;
  go(): void;
  /** blocks until the storm exits or `limitMs` passes (then kills it) */
  wait(limitMs: number): { generated: number; failed: number; elapsedNs: number; stopped: string };
  kill(): void;
}

export interface Addon {
  probeKernel(): ProbeItem[];
  libbpfVersion(): string;
  runTrial(config: Record<string, unknown>): Promise<NativeTrial>;
  abortAll(): void;
  Tracer: new (config: Record<string, unknown>) => NativeTracer;
  Storm: new (config: Record<string, unknown>) => NativeStorm;
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`ringbench: native addon not built (${ADDON_PATH} missing); run: npm run setup`);
  }
  const require = createRequire(import.meta.url);
  cached = require(ADDON_PATH) as Addon;
  return cached;
}
