/**
 * Debian's Chromium driven by playwright-core against `heatline serve`, as a
 * user in browser mode would use the app.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assertBuilt, repoRoot } from './cli';

export const chromiumPath = process.env.HEATLINE_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, 'test-artifacts');

/** A new page of the served app, loading; the page's uncaught errors are pushed to `pageErrors`. */
export async function openServedPage(browser: Browser, url: string, pageErrors: string[], viewport = { width: 1400, height: 860 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return page;
}

/** `heatline serve FILES` with a Chromium page on it (opening on those files); close() ends both. */
export interface ServedRecording {
  page: Page;
  close(): Promise<void>;
}

export async function openServedRecording(files: string[], pageErrors: string[]): Promise<ServedRecording> {
  const serve = await startServe(files);
  const browser = await launchChromium();
  const page = await openServedPage(browser, serve.url, pageErrors);
  return {
    page,
    close: async () => {
      await browser.close();
      await serve.stop();
    },
  };
}

/** A new page of the served app, at its empty state (no file named at start); errors as openServedPage. */
export async function openAppPage(browser: Browser, url: string, pageErrors: string[], viewport = { width: 1400, height: 860 }): Promise<Page> {
  const page = await openServedPage(browser, url, pageErrors, viewport);
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  return page;
}

/**
 * Chromium features to keep off. Recent Chromium loads its omnibox popup as
 * a WebUI page in a renderer of its own with every new window (about 1 s of
 * CPU here), which competes with the page under test on these 2 cores:
 * opening a 1M-sample perf.data took 3.15 s with it against 2.55 s without
 * (medians of 5, alternated). That is the browser's own UI, which Electron
 * does not have; Puppeteer turns the same two off by default. Chromium keeps
 * only the last --disable-features, so Playwright's own list
 * (playwright-core's chromiumSwitches) is repeated here with them.
 */
const disabledFeatures = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
  // Playwright's:
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install the chromium package (npm test does it as root)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--disable-features=${disabledFeatures.join(',')}`,
    ],
  });
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `heatline serve --port 0 [files]` and waits for the URL it prints. */
export function startServe(files: string[] = []): Promise<ServeProcess> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'heatline.js'), 'serve', '--port', '0', ...files], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`heatline serve printed no URL in 20 s: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[0],
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`heatline serve exited with ${code}: ${output}`)));
  });
}

/** Drops a file from disk onto the page the way a person would: dragenter, dragover, drop with a real File. */
export async function dropFile(page: Page, path: string, target = 'body'): Promise<void> {
  const base64 = (await readFile(path)).toString('base64');
  await page.evaluate(
    ({ base64, name, target }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name));
      const element = document.querySelector(target) ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    { base64, name: basename(path), target },
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(artifactsDir, `${name}.png`);
  await mkdir(dirname(path), { recursive: true }); // names may have folders (e2e/…)
  await page.screenshot({ path });
  return path;
}

/**
 * The app's own modules as one script for a bare page (page.addScriptTag):
 * `entry` is TypeScript resolved from the repository root, which imports
 * what a test needs and hangs it on `window`. For canvas tests that run the
 * real painters in Chromium without the app around them.
 */
export async function bundleForPage(entry: string): Promise<string> {
  const built = await build({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return built.outputFiles[0].text;
}
