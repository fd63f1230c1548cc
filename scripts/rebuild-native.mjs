// Rebuilds the native dependencies (node-pty) for the Electron in
// node_modules, via `electron-builder install-app-deps`, when that Electron is
// really there. Meant as the postinstall step.
//
// It never fails an install: when Electron's binary is absent
// (ELECTRON_SKIP_BINARY_DOWNLOAD, as on our development machines), when its
// headers cannot be downloaded, or when the rebuild takes over two minutes,
// it prints one line saying node-pty stays built for Node and why, and exits
// 0. "Stays" is meant literally: node-gyp deletes the old build before it
// compiles, so the build folder is copied aside first and put back on failure. That build still loads in Electron: node-pty 1.x is a Node-API addon
// (node-addon-api), whose binary interface does not depend on the Node or
// Electron version. The rebuild keeps the usual Electron practice for native
// modules all the same. Pass --strict (packaging, CI) to exit 1 instead.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIMEOUT_MS = 120_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

const ptyBuild = join(root, 'node_modules', 'node-pty', 'build');
let backup = null;

function staysForNode(reason) {
  if (backup !== null) {
    rmSync(ptyBuild, { recursive: true, force: true });
    cpSync(backup, ptyBuild, { recursive: true });
    rmSync(dirname(backup), { recursive: true, force: true });
  }
  console.log(`rebuild-native: node-pty stays built for Node (it is Node-API, so it also loads in Electron): ${reason}`);
  process.exit(strict ? 1 : 0);
}

const electronDir = join(root, 'node_modules', 'electron');
const pathFile = join(electronDir, 'path.txt');
if (!existsSync(join(root, 'node_modules', 'node-pty'))) staysForNode('node-pty is not installed');
if (!existsSync(pathFile) || !existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) {
  staysForNode("Electron's binary is not installed (node_modules/electron/dist is missing; ELECTRON_SKIP_BINARY_DOWNLOAD?)");
}
const builderCli = join(root, 'node_modules', 'electron-builder', 'cli.js');
if (!existsSync(builderCli)) staysForNode('electron-builder is not installed');

if (existsSync(ptyBuild)) {
  backup = join(mkdtempSync(join(tmpdir(), 'heatline-node-pty-')), 'build');
  cpSync(ptyBuild, backup, { recursive: true });
}

// Own process group, so a timeout stops node-gyp and the compiler too, not just the CLI.
const child = spawn(process.execPath, [builderCli, 'install-app-deps'], { cwd: root, stdio: 'inherit', detached: true });
const timer = setTimeout(() => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  staysForNode(`the rebuild did not finish within ${TIMEOUT_MS / 1000} s (Electron's headers could not be downloaded?)`);
}, TIMEOUT_MS);
child.on('error', (error) => {
  clearTimeout(timer);
  staysForNode(`could not run electron-builder: ${error.message}`);
});
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  if (code === 0) {
    if (backup !== null) rmSync(dirname(backup), { recursive: true, force: true });
    console.log('rebuild-native: node-pty rebuilt for Electron');
    process.exit(0);
  }
  staysForNode(`electron-builder install-app-deps failed (${signal ?? `exit ${code}`}; usually Electron's headers could not be downloaded)`);
});
