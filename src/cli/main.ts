#!/usr/bin/env node
/**
 * cli — the `ringbench` command. Each subcommand hands its parsed flags to a *-cli module and
 * exits with the code it returns (cli/errors.ts has the table); usage errors print one line and
 * exit 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, reportError } from './errors.js';
import { ACCELS, commanderLine, DEFAULTS, FORMATS } from './flags.js';
import { packageVersion } from '../harness/env.js';
import { knobOptions, scenarioCommand } from './scenario.js';
import { SIZE_KNOBS } from './size.js';

// Commands are imported when they run: the report's chart renderer alone takes about a second to
// load, which every `probe`, `trace` or refused `run` would otherwise wait for.

const program = new Command();
program
  .name('ringbench')
  .description('Compare the BPF ring buffer with the BPF perf buffer on this kernel, under real fork storms')
  .version(packageVersion())
  .exitOverride()
  .showSuggestionAfterError()
  // one line per error: commander puts its suggestion on a line of its own
  .configureOutput({ writeErr: (s) => process.stderr.write(commanderLine(s)) });

function exitWith(code: number): void {
  process.exitCode = code;
}

program
  .command('probe')
  .description('kernel capability report: can ringbench run here, and if not, why')
  .option('--json', 'print the report as JSON')
  .action(async (opts) => exitWith(await (await import('./probe.js')).probeCommand(opts)));

program
  .command('trace')
  .description('live exitsnoop/bootstrap view: process exits (and execs) system-wide, through one transport')
  .option('--transport <transport>', 'ringbuf or perfbuf', 'ringbuf')
  .option('--exec', 'also show exec events with the executed file name')
  .option('--min-duration <ms>', 'hide exits of processes that lived less than this (filtered in BPF)')
  .option('--duration <sec>', 'stop after this many seconds (default: until Ctrl-C)')
  .option('--json', 'print one JSON object per event')
  .action(async (opts) => exitWith(await (await import('./trace.js')).traceCommand(opts)));

const scenario = program
  .command('scenario')
  .description('run one trial and print its result')
  .option('--json', 'print the result as JSON')
  .option('--no-bpf-stats', 'do not enable BPF run-time statistics')
  .option('--sustainable', 'with --load saturation: find the highest rate a run carries (no drops, cap reached), beside the raw ceiling');
for (const [flags, doc] of knobOptions()) scenario.option(flags, doc);
scenario.action(async (opts) => exitWith(await scenarioCommand(opts)));

const size = program
  .command('size')
  .description("how big must the buffer be here? measure this host's stalls under a load, advise a size, check it")
  .option('--rate <rate>', 'saturation load at this many events/s (1M = 1,000,000; k, M, G)')
  .option('--runs <n>', 'capped runs at the advised size and at a quarter of it', String(DEFAULTS.sizeRuns))
  .option('--measure-runs <n>', 'runs that measure the stalls', String(DEFAULTS.sizeMeasureRuns))
  .option('--seconds <s>', 'length of each saturation run', '0.5')
  .option('--json', 'print the advice as JSON');
for (const [flags, doc] of knobOptions(SIZE_KNOBS)) size.option(flags, doc);
size.action(async (opts) => exitWith(await (await import('./size.js')).sizeCommand(opts)));

program
  .command('run')
  .description('the main job: run a suite, write results.json, results.csv and the report')
  .option('--suite <suite>', `smoke, quick, standard, full, or a suite file (see suites/README.md; default: ${DEFAULTS.runSuite})`)
  .option('--out <dir>', 'output directory (default: reports/<date>-<host>)')
  .option('--resume <dir>', 'continue an interrupted run in <dir>')
  .option('--force', 'replace the run files (results, report, charts) already in --out')
  .option('--no-report', 'skip the report at the end')
  .option('--calibration <file>', "attach a kernel-bench calibration (npm run bench:kernel -- --json FILE) to the results; the report shows it beside the ceilings")
  .action(async (opts) => exitWith(await (await import('./run.js')).runCommand(opts)));

program
  .command('matrix')
  .description('one suite on several kernels in QEMU guests (KVM, else emulated): a capability table and per-kernel results')
  .requiredOption('--kernels <list>', 'comma-separated: Debian kernel packages, aliases (6.1-cloud, 6.12-rt, …), host, path:VMLINUZ[:MODULES_DIR]')
  .option('--suite <suite>', `smoke, quick, standard, full, or a suite file (default: ${DEFAULTS.matrixSuite})`)
  .option('--out <dir>', 'output directory (default: reports/matrix-<date>)')
  .option('--rounds <n>', "spread the suite's repeats over N rounds of every kernel (A, B, A, B)")
  .addOption(new Option('--accel <accel>', 'auto (KVM when /dev/kvm answers, else TCG), kvm or tcg').choices(ACCELS).default(DEFAULTS.accel))
  .option('--timeout <sec>', 'per kernel and round, 10..86400 (default: 300 for smoke under TCG)')
  .option('--no-report', 'skip the report at the end')
  .action(async (opts) => exitWith(await (await import('../matrix/matrix.js')).matrixCommand(opts)));

program
  .command('fleet')
  .description('one suite on every host of an Ansible inventory (this commit, shipped by git archive): per-host results and one report across them')
  .option('--inventory <file>', 'Ansible inventory (INI or YAML); host names become folder names')
  .option('--limit <pattern>', 'Ansible host pattern: run only these hosts')
  .option('--forks <n>', 'hosts run at once (default 1: hosts sharing hardware must run one at a time)')
  .option('--suite <suite>', 'smoke (default), quick, standard, full, or a suite file')
  .option('--out <dir>', 'the fleet folder: fleet.json, hosts/<name>/, report.html, report.md')
  .option('--keep', 'leave the shipped checkout and run folder on each host')
  .option('--resume <dir>', 'run again the hosts of <dir> that did not finish')
  .option('--no-report', 'skip the report at the end')
  .action(async (opts) => exitWith(await (await import('./fleet.js')).fleetCommand(opts)));

program
  .command('report')
  .description('charts, report.html and report.md from saved results (two runs: with a comparison)')
  .argument('<results...>', 'results.json files or run directories')
  .option('--out <dir>', 'output directory (default: the run directory when given one)')
  .option('--threshold <pct>', 'noise threshold for the comparison of two runs, in percent', String(DEFAULTS.thresholdPct))
  .action(async (inputs, opts) => exitWith(await (await import('./report.js')).reportCommand(inputs, opts)));

program
  .command('compare')
  .description('compare runs (directories or results.json): BASE CANDIDATE, or BASE… -- CANDIDATE…; exit 1 on a regression')
  .argument('<runs...>', 'base then candidate; with several runs a side: base runs -- candidate runs (options before --)')
  .option('--noise <file>', "judge a single pair against this machine's run-to-run spread (from ringbench noise)")
  .option('--threshold <pct>', 'noise threshold in percent', String(DEFAULTS.thresholdPct))
  .addOption(new Option('--format <format>', 'text, md or json').choices(FORMATS).default(DEFAULTS.format))
  .option('--github-benchmark <dir>', 'also write github-action-benchmark files into DIR: bigger-is-better.json and smaller-is-better.json')
  .option('--force', "compare even so: kernels of an emulated kernel matrix (rates under emulation are not the kernel's), or against a --noise record of another suite or host (what differs is printed)")
  .action(async (runs: string[], opts) => {
    const { compareCommand, splitRuns } = await import('./compare.js');
    const sep = process.argv.indexOf('--', process.argv.indexOf('compare'));
    const sides = splitRuns(runs, sep < 0 ? undefined : process.argv.length - sep - 1);
    if (typeof sides === 'string') {
      process.stderr.write(`ringbench compare: ${sides}\n`);
      return exitWith(EXIT.usage);
    }
    exitWith(await compareCommand(sides.base, sides.candidate, opts));
  });

program
  .command('noise')
  .description("record this machine's run-to-run spread: run a suite N times (A/A) for compare --noise")
  .argument('[runs...]', 'instead of running: build the record from these finished runs of one suite')
  .requiredOption('--out <file>', 'the noise file to write (never over an existing file)')
  .option('--suite <suite>', 'quick, standard, full, or a suite file', DEFAULTS.suite)
  .option('--runs <n>', 'runs of the suite (2..100)', String(DEFAULTS.noiseRuns))
  .action(async (runs: string[], opts) => exitWith(await (await import('./noise.js')).noiseCommand(runs, opts)));

program
  .command('ab')
  .description('paired A/B: run a suite with A and B interleaved trial by trial, verdict from paired differences; exit 1 on a regression of B')
  .requiredOption('--a <knobs|suite>', "A: knobs over --suite ('consumerDelayNs=1000,ringbufBytes=1M', '' for none) or a suite file")
  .requiredOption('--b <knobs|suite>', 'B: the same forms')
  .option('--suite <suite>', 'the scenarios (for knob sides): quick, standard, full, or a suite file', DEFAULTS.suite)
  .option('--threshold <pct>', 'noise threshold in percent', String(DEFAULTS.thresholdPct))
  .addOption(new Option('--format <format>', 'text, md or json').choices(FORMATS).default(DEFAULTS.format))
  .option('--out <dir>', 'also write both sides as runs: DIR/a and DIR/b (results.json, results.csv)')
  .action(async (opts) => exitWith(await (await import('./ab.js')).abCommand(opts)));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version are not errors; everything else is a usage error
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(e);
  }
}
