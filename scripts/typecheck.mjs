// One tsc run per process folder: each has its own lib/types, which is what
// keeps Node out of the renderer and shared code (see docs/architecture.md).
import { spawnSync } from 'node:child_process';

const projects = ['src-shared', 'src-renderer', 'src-preload', 'src-main', 'test'];
let failed = false;
for (const project of projects) {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${project}/tsconfig.json`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`typecheck: ${project} has type errors`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
