// Makes sure the system tools the tests use are here: the tests record real
// profiles (perf, valgrind, heaptrack, strace; gcc to build the fixtures) and
// drive a real browser (Chromium). Run as root on
// Debian/Ubuntu it installs what is missing with apt; otherwise it stops and
// names the packages. It never lets a test skip for a missing tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const distro = (() => {
  try {
    return /^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1].replaceAll('"', '') ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

const libcDebugPresent = () =>
  spawnSync('sh', ['-c', 'dpkg-query -W -f=\'${Status}\' libc6-dbg 2>/dev/null | grep -q "ok installed"']).status === 0;

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

const requirements = [
  { what: 'perf', present: () => onPath('perf') && spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0,
    debian: ['linux-perf'], ubuntu: ['linux-tools-common', 'linux-tools-generic'] },
  { what: 'gcc/g++', present: () => onPath('gcc') && onPath('g++'), debian: ['gcc', 'g++', 'libc6-dev'], ubuntu: ['gcc', 'g++', 'libc6-dev'] },
  { what: 'objdump/addr2line', present: () => onPath('objdump') && onPath('addr2line'), debian: ['binutils'], ubuntu: ['binutils'] },
  // The Rust demangling test compiles a Rust fixture with both manglings.
  { what: 'rustc', present: () => onPath('rustc'), debian: ['rustc'], ubuntu: ['rustc'] },
  { what: 'llvm-symbolizer', present: () => onPath('llvm-symbolizer'), debian: ['llvm'], ubuntu: ['llvm'] },
  // Split debug info found by build-id, as users' distributions ship it: the symbol tests read libc's.
  { what: "libc's debug info", present: () => existsSync('/usr/lib/debug/.build-id') && libcDebugPresent(),
    debian: ['libc6-dbg'], ubuntu: ['libc6-dbg'] },
  // aarch64 unwinding is tested on a cross-built fixture run under qemu (no arm64 hardware needed).
  { what: 'aarch64 cross gcc and qemu', present: () => onPath('aarch64-linux-gnu-gcc') && onPath('qemu-aarch64'),
    debian: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'], ubuntu: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'] },
  { what: 'strace', present: () => onPath('strace'), debian: ['strace'], ubuntu: ['strace'] },
  { what: 'valgrind', present: () => onPath('valgrind') && onPath('ms_print'), debian: ['valgrind'], ubuntu: ['valgrind'] },
  { what: 'heaptrack', present: () => onPath('heaptrack') && onPath('heaptrack_print'), debian: ['heaptrack'], ubuntu: ['heaptrack'] },
  // The recording tests run a profiler through sudo's password prompt as a user they create.
  { what: 'sudo', present: () => onPath('sudo'), debian: ['sudo'], ubuntu: ['sudo'] },
  { what: 'Chromium', present: () => existsSync(process.env.HEATLINE_CHROMIUM ?? '/usr/bin/chromium'),
    debian: ['chromium'], ubuntu: ['chromium-browser'] },
];

if (process.platform !== 'linux') {
  console.log(`system-deps: ${process.platform} is not Linux; the recording tests need Linux perf and will say so`);
  process.exit(0);
}

const missing = requirements.filter((r) => !r.present());
const packagesFor = (list) => [...new Set(list.flatMap((r) => (distro === 'ubuntu' ? r.ubuntu : r.debian)))];

if (missing.length > 0) {
  const packages = packagesFor(missing);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`system-deps: the tests need ${missing.map((r) => r.what).join(', ')}.`);
    console.error(`system-deps: install them with: sudo apt-get install -y ${packages.join(' ')}   (then run npm test again)`);
    process.exit(1);
  }
  console.log(`system-deps: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const still = requirements.filter((r) => !r.present());
  if (still.length > 0) {
    console.error(`system-deps: still missing after apt-get: ${still.map((r) => r.what).join(', ')}`);
    process.exit(1);
  }
}

// perf needs a paranoid level of 2 or less to sample a user's own processes.
const paranoid = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
if (process.getuid?.() !== 0 && paranoid > 2) {
  console.error(`system-deps: perf_event_paranoid is ${paranoid}; perf can't sample your processes.`);
  console.error('system-deps: allow it until reboot with: sudo sysctl kernel.perf_event_paranoid=2');
  process.exit(1);
}
console.log(`system-deps: ${requirements.map((r) => r.what).join(', ')} present`);
