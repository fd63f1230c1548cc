/** Runs the built `heatline` command as a user would, capturing its output. */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'heatline.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(repoRoot, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npm run build` before these tests (npm test does)');
  }
}

export function runCli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`heatline ${args.join(' ')} did not finish in ${timeoutMs} ms (a hang)`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
