// Lint zones: which process may import what. The tsconfig per process already
// keeps Node types out of the renderer and shared code; these rules also catch
// relative imports across process folders, which the compiler would accept.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', ...builtinModules, ...builtinModules.map((name) => `${name}/*`)];

function forbid(groups, message) {
  return { group: groups, message };
}

const noNode = forbid(nodeBuiltins, 'Node built-ins run only in src-main.');
const noElectron = forbid(['electron', 'electron/*'], 'Electron is imported only by src-main/electron and src-preload.');
const noMain = forbid(['**/src-main', '**/src-main/**'], 'src-main is the Node side; reach it through the host API contract.');
const noRenderer = forbid(['**/src-renderer', '**/src-renderer/**'], 'The renderer is imported by nobody.');
const noPreload = forbid(['**/src-preload', '**/src-preload/**'], 'The preload is imported by nobody.');

function zone(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The `heatline` launcher is plain CommonJS so it runs on any Node without a build step.
  { files: ['bin/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  zone(['src-shared/**'], [noNode, noElectron, noMain, noRenderer, noPreload,
    forbid(['react', 'react-dom', 'react/*', 'zustand', 'ws', 'node-pty'], 'src-shared is pure: no UI, no I/O packages.')]),
  zone(['src-renderer/**'], [noNode, noElectron, noMain, noPreload,
    forbid(['ws', 'node-pty'], 'Node packages stay in src-main.')]),
  zone(['src-preload/**'], [noNode, noMain, noRenderer,
    forbid(['**/src-shared/**', '!**/src-shared/contract', '!**/src-shared/channels'], 'The preload imports only the contract.'),
    // Values from the contract would bundle zod into every window's preload: names come from channels.ts.
    { group: ['**/src-shared/contract'], allowTypeImports: true, message: 'Import only types from the contract here; call names come from src-shared/channels.' }]),
  zone(['src-main/**'], [noRenderer, noPreload]),
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noRenderer, noPreload, noElectron] }] },
  },
);
