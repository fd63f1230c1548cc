/**
 * The built Electron app, end to end (playwright-core's Electron driver):
 * the window really is isolated and sandboxed, the page sees no Node, and
 * `window.heatline` is exactly the contract. Needs `npm run build` and
 * Electron's binary; where the binary is absent (ELECTRON_SKIP_BINARY_DOWNLOAD,
 * as on the machines this project is developed on) the test skips and says
 * so, and the renderer is covered end to end through browser mode instead.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { hostCallNames, type PreloadBridge } from '../../src-shared/contract';

const root = resolve(__dirname, '..', '..');
const mainScript = join(root, 'out', 'main', 'electron-main.js');

/** The Electron executable that `npm install` downloaded, or why there is none. */
function findElectron(): { executable: string } | { missing: string } {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'node_modules/electron/path.txt is missing, so no binary was downloaded' };
  const executable = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(executable)) return { missing: `${executable} does not exist` };
  return { executable };
}

/** Why this machine cannot show an Electron window, or null when it can. */
function noDisplay(): string | null {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'no DISPLAY or WAYLAND_DISPLAY (run the tests under xvfb-run)';
}

type PageGlobals = { heatline?: PreloadBridge; require?: unknown; process?: unknown; module?: unknown };

test('the Electron window is sandboxed, isolated, and exposes exactly the contract', async (t) => {
  const electron = findElectron();
  if ('missing' in electron) {
    t.skip(`Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): ${electron.missing}`);
    return;
  }
  const display = noDisplay();
  if (display !== null) {
    t.skip(`cannot open a window: ${display}`);
    return;
  }
  assert.ok(existsSync(mainScript), `${mainScript} is missing: run \`npm run build\` first`);

  const { _electron } = await import('playwright-core');
  // A fresh user-data folder: no recent files from a real session, and no
  // single-instance lock shared with a Heatline the developer has open.
  const userData = mkdtempSync(join(tmpdir(), 'heatline-e2e-'));
  const args = [mainScript, `--user-data-dir=${userData}`];
  // Chromium refuses to start its sandbox as root (CI containers). The
  // webPreferences below are still checked; the OS-level sandbox is not.
  if (process.getuid?.() === 0) {
    t.diagnostic('running as root: Chromium needs --no-sandbox, so the OS-level sandbox is not exercised');
    args.push('--no-sandbox');
  }
  const app = await _electron.launch({ executablePath: electron.executable, args, cwd: root });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');

    // getLastWebPreferences is the effective preferences of the page as it
    // runs (what Electron's own specs check); it is missing from electron.d.ts.
    const preferences = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as
        | { getLastWebPreferences(): Electron.WebPreferences | null }
        | undefined;
      const preferences = contents?.getLastWebPreferences();
      return {
        contextIsolation: preferences?.contextIsolation,
        sandbox: preferences?.sandbox,
        nodeIntegration: preferences?.nodeIntegration,
        webSecurity: preferences?.webSecurity,
      };
    });
    assert.deepEqual(preferences, { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });

    const globals = await page.evaluate(() => {
      const page = window as unknown as PageGlobals;
      return { require: typeof page.require, process: typeof page.process, module: typeof page.module };
    });
    assert.deepEqual(globals, { require: 'undefined', process: 'undefined', module: 'undefined' });

    const methods = await page.evaluate(() => Object.keys((window as unknown as PageGlobals).heatline ?? {}).sort());
    assert.deepEqual(methods, [...hostCallNames, 'on', 'pathForFile'].sort());

    // One real round trip through preload, ipcMain, the sender check and the host.
    const info = await page.evaluate(() => (window as unknown as Required<PageGlobals>).heatline.getHostInfo({}));
    assert.equal(info.ok, true);
    assert.equal(info.ok && info.value.mode, 'electron');

    // The page cannot leave the app or open windows.
    const before = page.url();
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    assert.equal(opened, true, 'window.open must be denied');
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    assert.equal(page.url(), before, 'navigation away from the app page must be denied');
    assert.equal(app.windows().length, 1);
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});
