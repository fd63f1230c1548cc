/**
 * The layering rules the lint step enforces (eslint.config.mjs): what the
 * renderer, the shared code and the preload may not import. Each forbidden
 * import is linted as if it were in that folder and must be an error; the
 * allowed ones must not be.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { file: string; source: string; forbidden: boolean }[] = [
  { file: 'src-renderer/layering-probe.ts', source: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", forbidden: true },
  { file: 'src-renderer/layering-probe.ts', source: "import { readFileSync } from 'fs';\nexport const f = readFileSync;\n", forbidden: true },
  { file: 'src-renderer/layering-probe.ts', source: "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", forbidden: true },
  { file: 'src-renderer/views/layering-probe.ts', source: "import { fileSource } from '../../src-main/import/source';\nexport const s = fileSource;\n", forbidden: true },
  { file: 'src-shared/layering-probe.ts', source: "import { spawn } from 'node:child_process';\nexport const s = spawn;\n", forbidden: true },
  { file: 'src-shared/layering-probe.ts', source: "import { create } from 'zustand';\nexport const c = create;\n", forbidden: true },
  { file: 'src-preload/layering-probe.ts', source: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", forbidden: true },
  { file: 'src-renderer/layering-probe.ts', source: "import { formatBytes } from '../src-shared/profile/model';\nexport const f = formatBytes;\n", forbidden: false },
  { file: 'src-main/layering-probe.ts', source: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", forbidden: false },
];

for (const { file, source, forbidden } of cases) {
  const imported = /from '([^']+)'/.exec(source)?.[1];
  test(`${file.split('/')[0]} importing ${imported}: ${forbidden ? 'a lint error' : 'allowed'}`, async () => {
    const errors = await restrictedImportErrors(file, source);
    if (forbidden) assert.ok(errors.length > 0, `expected a no-restricted-imports error for ${imported} in ${file}`);
    else assert.deepEqual(errors, []);
  });
}
