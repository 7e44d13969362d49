/**
 * kernels — what `ringbench matrix --kernels LIST` names, and getting those kernels ready to boot.
 *
 * A list item is a Debian kernel package (a meta package such as `linux-image-cloud-amd64` is
 * followed to the image it depends on), a short alias (`6.1-cloud`, `6.12-rt`, …), `host` (run on
 * this machine's own kernel, no guest), or `path:VMLINUZ[:MODULES_DIR]` for a self-built kernel.
 *
 * Debian kernels are fetched with `apt-get download` and unpacked with `dpkg-deb --fsys-tarfile |
 * tar` into a per-user cache ($XDG_CACHE_HOME or ~/.cache, then ringbench/kernels/<pkg>_<ver>/):
 * only vmlinuz, config and the modules a guest needs to reach the host's files (virtio PCI,
 * fuse/virtiofs, overlay) with their dependencies, decompressed. The host's /boot and /lib/modules
 * are never touched. A cache entry appears atomically (rename) once complete. Its manifest records
 * the size and sha256 of every file; each use checks them, and an entry that fails (a truncated
 * or edited file, a missing one, a manifest without hashes) is named in one line, removed and
 * fetched again.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';

/** A bad --kernels value: exit 2 with this one line. */
export class KernelListError extends Error {}
/** The machine cannot provide the kernel (apt, download, missing config): exit 1. */
export class KernelFetchError extends Error {}

export const KERNEL_ALIASES: Record<string, string> = {
  '6.1': 'linux-image-amd64',
  '6.1-cloud': 'linux-image-cloud-amd64',
  '6.1-rt': 'linux-image-rt-amd64',
  '6.12': 'linux-image-6.12-amd64',
  '6.12-cloud': 'linux-image-6.12-cloud-amd64',
  '6.12-rt': 'linux-image-6.12-rt-amd64',
};

export type KernelSpec =
  | { kind: 'host'; input: string }
  | { kind: 'debian'; input: string; pkg: string }
  | { kind: 'path'; input: string; vmlinuz: string; modulesDir?: string };

/** A kernel ready to boot: vmlinuz plus the modules (in load order) the guest init inserts. */
export interface PreparedKernel {
  /** what the user wrote, e.g. "6.12-rt" */
  input: string;
  /** short name used for the per-kernel output folder */
  id: string;
  /** the kernel release (uname -r) when known from the package */
  release: string;
  pkg?: string;
  version?: string;
  vmlinuz: string;
  /** absolute paths of uncompressed .ko files, dependencies first */
  modules: string[];
  /** whether overlayfs is there (built in or as a module): else the guest writes to tmpfs only */
  overlay: boolean;
  cacheDir?: string;
}

const VALID = `a Debian kernel package (e.g. linux-image-cloud-amd64), an alias (${Object.keys(KERNEL_ALIASES).join(', ')}), host, or path:VMLINUZ[:MODULES_DIR]`;

export function parseKernelList(raw: string | undefined): KernelSpec[] {
  if (!raw || !raw.trim()) throw new KernelListError(`--kernels needs a comma-separated list; each item is ${VALID}`);
  const specs: KernelSpec[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (!item) throw new KernelListError(`--kernels ${raw}: empty item; each item is ${VALID}`);
    if (item === 'host') specs.push({ kind: 'host', input: item });
    else if (item.startsWith('path:')) {
      const [vmlinuz, modulesDir] = item.slice(5).split(':');
      if (!vmlinuz || !existsSync(vmlinuz) || !statSync(vmlinuz).isFile())
        throw new KernelListError(`--kernels ${item}: no kernel image file at '${vmlinuz ?? ''}'; each item is ${VALID}`);
      if (modulesDir !== undefined && (!existsSync(modulesDir) || !statSync(modulesDir).isDirectory()))
        throw new KernelListError(`--kernels ${item}: modules directory '${modulesDir}' does not exist`);
      specs.push({ kind: 'path', input: item, vmlinuz: resolve(vmlinuz), modulesDir: modulesDir && resolve(modulesDir) });
    } else {
      const pkg = KERNEL_ALIASES[item] ?? item;
      if (!/^linux-image-[a-z0-9][a-z0-9.+~-]*$/.test(pkg)) throw new KernelListError(`--kernels: '${item}' is not ${VALID}`);
      specs.push({ kind: 'debian', input: item, pkg });
    }
  }
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.input)) throw new KernelListError(`--kernels: '${s.input}' is listed twice`);
    seen.add(s.input);
  }
  return specs;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(base, 'ringbench', 'kernels');
}

/** Package, version and Depends from apt's cache, or an error naming the fix. */
function aptShow(pkg: string): { version: string; depends: string[] } {
  let out: string;
  try {
    out = execFileSync('apt-cache', ['show', '--no-all-versions', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0];
    throw new KernelFetchError(`kernel package ${pkg}: apt does not know it (${msg || 'apt-cache failed'}); run apt-get update, or check the name with apt-cache search linux-image`);
  }
  const field = (name: string) => out.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1] ?? '';
  const depends = field('Depends').split(',').map((d) => d.trim().split(/[\s|]/)[0]).filter(Boolean);
  return { version: field('Version'), depends };
}

/** Follows meta packages (linux-image-cloud-amd64 → linux-image-6.1.0-NN-cloud-amd64). */
export function resolvePackage(pkg: string): { pkg: string; version: string } {
  let name = pkg;
  for (let depth = 0; depth < 4; depth++) {
    const info = aptShow(name);
    const image = info.depends.find((d) => d.startsWith('linux-image-') && !d.endsWith('-dbg'));
    if (!image) return { pkg: name, version: info.version };
    name = image;
  }
  throw new KernelFetchError(`kernel package ${pkg}: meta packages nest too deep`);
}

/** Runs a command to its end; an abort kills it (its whole process group: sh, dpkg-deb, tar). */
function run(cmd: string, args: string[], cwd: string, signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    signal?.addEventListener('abort', kill, { once: true });
    process.once('exit', kill);
    child.on('error', fail);
    child.on('close', (code) => {
      signal?.removeEventListener('abort', kill);
      process.off('exit', kill);
      done({ code: code ?? 1, stderr });
    });
  });
}

/** CONFIG_X=y|m, or undefined when not set. */
export function readConfig(file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^CONFIG_([A-Z0-9_]+)=(.*)$/gm)) map.set(m[1], m[2]);
  return map;
}

/** The modules a guest needs, by module name, keyed by the config symbol that builds them. */
const NEEDED: [symbol: string, module: string, required: boolean][] = [
  ['VIRTIO_PCI', 'virtio_pci', true],
  ['FUSE_FS', 'fuse', true],
  ['VIRTIO_FS', 'virtiofs', true],
  ['OVERLAY_FS', 'overlay', false],
];

/** Module files under dir (recursively), by module name (dashes as underscores). */
function indexModules(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz|\.zst|\.gz)?$/.test(e.name)) index.set(e.name.replace(/\.ko.*$/, '').replace(/-/g, '_'), p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return index;
}

function decompressTo(src: string, dest: string): void {
  const tool = src.endsWith('.xz') ? ['xz', '-dc'] : src.endsWith('.zst') ? ['zstd', '-dcq'] : src.endsWith('.gz') ? ['gzip', '-dc'] : null;
  if (!tool) {
    writeFileSync(dest, readFileSync(src));
    return;
  }
  try {
    writeFileSync(dest, execFileSync(tool[0], [...tool.slice(1), src], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    throw new KernelFetchError(`cannot decompress ${basename(src)} with ${tool[0]} (${(e as Error).message.split('\n')[0]}); install ${tool[0] === 'zstd' ? 'zstd' : 'xz-utils'}`);
  }
}

/**
 * Copies the needed modules (and what they depend on, per `modinfo -F depends`) from a module tree
 * into dest, uncompressed; returns them dependencies first. Modules built in (=y) need nothing.
 */
export function collectModules(config: Map<string, string>, moduleTree: string, dest: string, what: string): { modules: string[]; overlay: boolean } {
  for (const [symbol, , required] of NEEDED) {
    if (required && !config.has(symbol)) throw new KernelFetchError(`${what}: kernel built without CONFIG_${symbol}; the guest cannot reach the host's files over virtiofs`);
  }
  const index = indexModules(moduleTree);
  mkdirSync(dest, { recursive: true });
  const order: string[] = [];
  const visiting = new Set<string>();
  const add = (name: string) => {
    if (order.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    const src = index.get(name);
    if (!src) throw new KernelFetchError(`${what}: module ${name} is needed but not found under ${moduleTree}`);
    const ko = join(dest, `${name}.ko`);
    decompressTo(src, ko);
    const deps = execFileSync('modinfo', ['-F', 'depends', ko], { encoding: 'utf8' }).trim();
    for (const d of deps.split(',').filter(Boolean)) add(d.replace(/-/g, '_'));
    order.push(name);
  };
  for (const [symbol, module] of NEEDED) if (config.get(symbol) === 'm') add(module);
  return { modules: order.map((n) => join(dest, `${n}.ko`)), overlay: config.has('OVERLAY_FS') };
}

interface CachedFile {
  size: number;
  sha256: string;
}

interface Manifest {
  pkg: string;
  version: string;
  release: string;
  /** file names under modules/, in load order */
  modules: string[];
  overlay: boolean;
  fetchedAt: string;
  /** every file of the entry by its path in it (vmlinuz, config, modules/X.ko): size and sha256 */
  files: Record<string, CachedFile>;
}

/** The only names a cache entry holds; anything else in a manifest is not ours. */
const ENTRY_FILE = /^(vmlinuz|config|modules\/[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.ko)$/;

function describeFile(path: string): CachedFile {
  const data = readFileSync(path);
  return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * Why the cache entry in dir cannot be used, in words that name the file, or null when every file
 * has the size and sha256 its manifest records.
 */
export function cacheEntryProblem(dir: string): string | null {
  const manifestFile = join(dir, 'manifest.json');
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Partial<Manifest>;
  } catch (e) {
    return `${manifestFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]})`;
  }
  if (!m || typeof m !== 'object' || !m.files || typeof m.files !== 'object') return `${manifestFile} records no file sizes and hashes (written by an older ringbench)`;
  if (!Array.isArray(m.modules) || typeof m.release !== 'string' || typeof m.overlay !== 'boolean') return `${manifestFile} lacks its release, modules or overlay fields`;
  const files = m.files;
  const needed = ['vmlinuz', 'config', ...m.modules.map((n) => `modules/${n}`)];
  for (const name of needed) if (!Object.hasOwn(files, name)) return `${manifestFile} records no size and hash for ${name}`;
  for (const [name, want] of Object.entries(files)) {
    if (!ENTRY_FILE.test(name)) return `${manifestFile} names a file '${name}' that a cache entry does not hold`;
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return `${path} is missing`;
    }
    if (!st.isFile()) return `${path} is not a regular file`;
    if (st.size !== want?.size) return `${path} is ${st.size} bytes, its manifest says ${want?.size}`;
    const got = describeFile(path).sha256;
    if (got !== want.sha256) return `${path} has sha256 ${got.slice(0, 16)}…, its manifest says ${String(want.sha256).slice(0, 16)}…`;
  }
  return null;
}

/** Moves a bad entry out of the way (atomically: a concurrent reader sees it whole or not at all), then deletes it. */
function discardEntry(dir: string, root: string): void {
  const aside = join(root, `.bad-${process.pid}-${Date.now()}`);
  try {
    renameSync(dir, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // another process removed it
    throw new KernelFetchError(`cannot remove the bad kernel cache entry ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); remove it by hand`);
  }
  rmSync(aside, { recursive: true, force: true });
}

const EXTRACT = ['./boot/vmlinuz-*', './boot/config-*', ...['drivers/virtio', 'fs/fuse', 'fs/overlayfs'].map((d) => `./lib/modules/*/kernel/${d}/*`)];

/**
 * The cached kernel of a Debian package, fetching it when missing. `log` gets progress lines.
 * Safe against a concurrent fetch: each works in its own temporary folder and the first rename wins.
 */
export async function prepareDebianKernel(spec: { input: string; pkg: string }, log: (line: string) => void, signal?: AbortSignal): Promise<PreparedKernel> {
  const { pkg, version } = resolvePackage(spec.pkg);
  const root = cacheRoot();
  const dir = join(root, `${pkg}_${version}`.replace(/[^A-Za-z0-9._+~-]/g, '_'));
  const id = spec.input.replace(/^linux-image-/, '').replace(/[^A-Za-z0-9._+-]/g, '_');
  const fromCache = (): PreparedKernel => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    return { input: spec.input, id, release: m.release, pkg, version, vmlinuz: join(dir, 'vmlinuz'), modules: m.modules.map((n) => join(dir, 'modules', n)), overlay: m.overlay, cacheDir: dir };
  };
  if (existsSync(dir)) {
    const problem = cacheEntryProblem(dir);
    if (!problem) return fromCache();
    log(`${spec.input}: bad kernel cache entry: ${problem}; removing ${dir} and fetching it again`);
    discardEntry(dir, root);
  }

  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.fetch-${process.pid}-${Date.now()}`);
  mkdirSync(join(tmp, 'x'), { recursive: true });
  try {
    log(`${spec.input}: downloading ${pkg} ${version}`);
    const dl = await run('apt-get', ['download', '-q', `${pkg}=${version}`], tmp, signal);
    if (signal?.aborted) throw new KernelFetchError(`${spec.input}: interrupted`);
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (dl.code !== 0 || !deb) throw new KernelFetchError(`apt-get download ${pkg}=${version} failed: ${dl.stderr.trim().split('\n').filter((l) => !l.startsWith('W:')).pop() ?? `exit ${dl.code}`}`);
    log(`${spec.input}: unpacking vmlinuz, config and the virtio/fuse/overlay modules`);
    // tar exits 2 when a pattern matches nothing (a kernel with everything built in): checked below.
    await run('/bin/sh', ['-c', `dpkg-deb --fsys-tarfile '${deb}' | tar -x -C x --wildcards ${EXTRACT.map((p) => `'${p}'`).join(' ')}`], tmp, signal);
    if (signal?.aborted) throw new KernelFetchError(`${spec.input}: interrupted`);
    const boot = join(tmp, 'x', 'boot');
    const vmlinuz = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
    const config = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('config-')) : undefined;
    if (!vmlinuz || !config) throw new KernelFetchError(`${pkg}: the package has no /boot/vmlinuz-* and config-*; is it a kernel image package?`);
    const release = vmlinuz.slice('vmlinuz-'.length);
    const stage = join(tmp, 'entry');
    mkdirSync(stage);
    renameSync(join(boot, vmlinuz), join(stage, 'vmlinuz'));
    renameSync(join(boot, config), join(stage, 'config'));
    const cfg = readConfig(join(stage, 'config'));
    const { modules, overlay } = collectModules(cfg, join(tmp, 'x', 'lib', 'modules', release), join(stage, 'modules'), pkg);
    const names = modules.map((m) => basename(m));
    const files: Record<string, CachedFile> = {};
    for (const name of ['vmlinuz', 'config', ...names.map((n) => `modules/${n}`)]) files[name] = describeFile(join(stage, name));
    const manifest: Manifest = { pkg, version, release, modules: names, overlay, fetchedAt: new Date().toISOString(), files };
    writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      renameSync(stage, dir);
    } catch (e) {
      if (cacheEntryProblem(dir) !== null) throw e; // else another fetch won the race
    }
    log(`${spec.input}: cached ${release} in ${dir}`);
    return fromCache();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A self-built kernel: vmlinuz as given; modules from MODULES_DIR when its config asks for them. */
export function preparePathKernel(spec: { input: string; vmlinuz: string; modulesDir?: string }, workDir: string): PreparedKernel {
  const id = `path-${basename(spec.vmlinuz).replace(/[^A-Za-z0-9._+-]/g, '_')}`;
  let modules: string[] = [];
  let overlay = true;
  // known for sure only once booted (the guest reports uname -r); until then a guess from the names
  let release = basename(spec.vmlinuz).replace(/^(vmlinuz|bzImage)-?/, '') || 'unknown';
  if (spec.modulesDir) {
    const configFile = [join(spec.modulesDir, 'config'), join(spec.modulesDir, 'build', '.config'), join(spec.modulesDir, '..', '.config')].find((f) => existsSync(f));
    if (configFile) {
      const got = collectModules(readConfig(configFile), spec.modulesDir, join(workDir, 'modules'), spec.input);
      modules = got.modules;
      overlay = got.overlay;
    } else {
      // No config to read: take whichever of the needed modules the tree has.
      const index = indexModules(spec.modulesDir);
      const cfg = new Map(NEEDED.filter(([, m]) => index.has(m)).map(([s]) => [s, 'm']));
      for (const [s, , required] of NEEDED) if (required && !cfg.has(s)) cfg.set(s, 'y');
      const got = collectModules(cfg, spec.modulesDir, join(workDir, 'modules'), spec.input);
      modules = got.modules;
    }
    release = basename(spec.modulesDir);
  }
  return { input: spec.input, id, release, vmlinuz: spec.vmlinuz, modules, overlay };
}
