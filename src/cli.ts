#!/usr/bin/env node
/**
 * cli — the `ringbench` command. Each subcommand hands its parsed flags to a *-cli module and
 * exits with the code it returns; usage errors print one line and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { compareCommand } from './compare-cli.js';
import { packageVersion } from './env.js';
import { probeCommand } from './probe.js';
import { reportCommand } from './report-cli.js';
import { runCommand } from './run-cli.js';
import { matrixCommand } from './matrix/matrix.js';
import { knobOptions, scenarioCommand } from './scenario-cli.js';
import { traceCommand } from './trace-cli.js';

const program = new Command();
program
  .name('ringbench')
  .description('Compare the BPF ring buffer with the BPF perf buffer on this kernel, under real fork storms')
  .version(packageVersion())
  .exitOverride()
  .showSuggestionAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/^error: /, 'ringbench: ')) });

function exitWith(code: number): void {
  process.exitCode = code;
}

program
  .command('probe')
  .description('kernel capability report: can ringbench run here, and if not, why')
  .option('--json', 'print the report as JSON')
  .action(async (opts) => exitWith(await probeCommand(opts)));

program
  .command('trace')
  .description('live exitsnoop/bootstrap view: process exits (and execs) system-wide, through one transport')
  .option('--transport <transport>', 'ringbuf or perfbuf', 'ringbuf')
  .option('--exec', 'also show exec events with the executed file name')
  .option('--min-duration <ms>', 'hide exits of processes that lived less than this (filtered in BPF)')
  .option('--duration <sec>', 'stop after this many seconds (default: until Ctrl-C)')
  .option('--json', 'print one JSON object per event')
  .action(async (opts) => exitWith(await traceCommand(opts)));

const scenario = program
  .command('scenario')
  .description('run one trial and print its result')
  .option('--json', 'print the result as JSON')
  .option('--no-bpf-stats', 'do not enable BPF run-time statistics')
  .option('--sustainable', 'with --load saturation: find the highest rate with no drops, beside the raw ceiling');
for (const [flags, doc] of knobOptions()) scenario.option(flags, doc);
scenario.action(async (opts) => exitWith(await scenarioCommand(opts)));

program
  .command('run')
  .description('the main job: run a suite, write results.json, results.csv and the report')
  .option('--suite <suite>', 'smoke, quick, standard, full, or a suite file (see bench/README.md)')
  .option('--out <dir>', 'output directory (default: reports/<date>-<host>)')
  .option('--resume <dir>', 'continue an interrupted run in <dir>')
  .option('--no-report', 'skip the report at the end')
  .action(async (opts) => exitWith(await runCommand(opts)));

program
  .command('matrix')
  .description('one suite on several kernels in QEMU guests (KVM, else emulated): a capability table and per-kernel results')
  .requiredOption('--kernels <list>', 'comma-separated: Debian kernel packages, aliases (6.1-cloud, 6.12-rt, …), host, path:VMLINUZ[:MODULES_DIR]')
  .option('--suite <suite>', 'smoke (default), quick, standard, full, or a suite file')
  .option('--out <dir>', 'output directory (default: reports/matrix-<date>)')
  .option('--rounds <n>', 'spread the suite\'s repeats over N rounds of every kernel (A, B, A, B)')
  .option('--accel <accel>', 'auto (KVM when /dev/kvm answers, else TCG), kvm or tcg', 'auto')
  .option('--timeout <sec>', 'per kernel and round (default: 300 for smoke under TCG)')
  .option('--no-report', 'skip the report at the end')
  .action(async (opts) => exitWith(await matrixCommand(opts)));

program
  .command('report')
  .description('charts, report.html and report.md from saved results (two runs: with a comparison)')
  .argument('<results...>', 'results.json files or run directories')
  .option('--out <dir>', 'output directory (default: the run directory when given one)')
  .option('--threshold <pct>', 'noise threshold for the comparison of two runs, in percent', '5')
  .action(async (inputs, opts) => exitWith(await reportCommand(inputs, opts)));

program
  .command('compare')
  .description('compare two runs (directories or results.json); exit 1 on a regression')
  .argument('<base>', 'baseline run')
  .argument('<candidate>', 'candidate run')
  .option('--threshold <pct>', 'noise threshold in percent', '5')
  .option('--format <format>', 'text, md or json', 'text')
  .option('--github-benchmark <path>', 'also write github-action-benchmark JSON files')
  .option('--force', 'compare kernels of an emulated kernel matrix even so (rates under emulation are not the kernel\'s)')
  .action(async (base, candidate, opts) => exitWith(await compareCommand(base, candidate, opts)));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version are not errors; everything else is a usage error
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  } else {
    process.stderr.write(`ringbench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
