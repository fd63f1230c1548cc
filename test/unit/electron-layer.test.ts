/**
 * The Electron layer's pure parts, under plain Node (there is no Electron
 * binary on these machines): which senders the IPC trusts, which files a
 * command line names, the recent-files list and store, the menu template,
 * the CSP and navigation guards, and the preload bridge's shape.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import type { MenuItemConstructorOptions, WebContents } from 'electron';
import { filesFromArgv } from '../../src-main/electron/command-line';
import { menuTemplate, recentLabel, type MenuContext } from '../../src-main/electron/menu';
import { appPaths } from '../../src-main/electron/paths';
import {
  createRecentFiles,
  MAX_RECENT_FILES,
  parseRecentFiles,
  serializeRecentFiles,
  withoutMissingFiles,
  withRecentFile,
} from '../../src-main/electron/recent-files';
import { cspFromHtml, FALLBACK_CSP, guardWebContents, headerCsp } from '../../src-main/electron/security';
import { isAppPage, isTrustedSender } from '../../src-main/electron/sender-check';
import { channelFor, hostCallNames, type HostEventName, type MenuCommand, type RecentFile } from '../../src-shared/contract';
import { makeBridge } from '../../src-preload/bridge';

const appUrl = pathToFileURL('/opt/Heatline/resources/app.asar/out/renderer/index.html').href;

describe('IPC sender check', () => {
  test('trusts the top-level frame showing the app page, whatever its query or fragment', () => {
    assert.equal(isTrustedSender({ isTopFrame: true, url: appUrl, appUrl }), true);
    assert.equal(isTrustedSender({ isTopFrame: true, url: `${appUrl}?view=flame#main`, appUrl }), true);
  });

  test('refuses the app page inside an iframe', () => {
    assert.equal(isTrustedSender({ isTopFrame: false, url: appUrl, appUrl }), false);
  });

  test('refuses any other page', () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/index.html',
      'file:///opt/Heatline/resources/app.asar/out/renderer/other.html',
      'file:///opt/Heatline/resources/app.asar/out/renderer/index.html.evil',
      'file:///tmp/index.html',
      'file://fileserver/opt/Heatline/resources/app.asar/out/renderer/index.html',
      'about:blank',
      'data:text/html,<p>hi',
      '',
      'not a url',
    ]) {
      assert.equal(isTrustedSender({ isTopFrame: true, url, appUrl }), false, url);
    }
  });

  test('compares paths, not spellings: percent-encoding and dot segments do not matter', () => {
    const spaced = pathToFileURL('/home/me/My Apps/heatline/out/renderer/index.html').href;
    assert.equal(isAppPage('file:///home/me/My%20Apps/heatline/out/renderer/index.html', spaced), true);
    assert.equal(isAppPage('file:///home/me/My%20Apps/heatline/out/main/../renderer/index.html', spaced), true);
  });

  test('the app paths put the page and preload beside the bundled main script', () => {
    const paths = appPaths('/app/out/main', '/app/resources');
    assert.equal(paths.preload, '/app/out/preload/preload.js');
    assert.equal(paths.page, '/app/out/renderer/index.html');
    assert.equal(isAppPage(paths.pageUrl, pathToFileURL(paths.page).href), true);
    assert.deepEqual(paths.readmeCandidates, ['/app/resources/README.md', '/app/README.md']);
  });
});

describe('files named on the command line', () => {
  const dev = { defaultApp: true, cwd: '/work/project' };
  const packaged = { defaultApp: false, cwd: '/home/me/traces' };

  test('development: `electron . file` skips the app path', () => {
    assert.deepEqual(filesFromArgv(['/x/electron', '.', 'perf.data'], dev), ['/work/project/perf.data']);
    assert.deepEqual(filesFromArgv(['/x/electron', 'out/main/electron-main.js'], dev), []);
  });

  test("development: Electron's and Playwright's switches are not files", () => {
    assert.deepEqual(
      filesFromArgv(['/x/electron', '--inspect=0', '--remote-debugging-port=0', '.', '--enable-logging', 'a.json'], dev),
      ['/work/project/a.json'],
    );
  });

  test('packaged: every non-switch argument is a file, relative to the caller', () => {
    assert.deepEqual(filesFromArgv(['/opt/Heatline/heatline', 'perf.data', '/tmp/dhat.json'], packaged), [
      '/home/me/traces/perf.data',
      '/tmp/dhat.json',
    ]);
    assert.deepEqual(filesFromArgv(['/opt/Heatline/heatline'], packaged), []);
  });

  test("macOS Finder's -psn_ switch and a second instance's added switches are skipped", () => {
    assert.deepEqual(filesFromArgv(['/Applications/Heatline.app/Contents/MacOS/Heatline', '-psn_0_1234567'], packaged), []);
    assert.deepEqual(
      filesFromArgv(['/opt/Heatline/heatline', '--allow-file-access-from-files', 'x.data', '--original-process-start-time=1'], packaged),
      ['/home/me/traces/x.data'],
    );
  });

  test('after -- a word that looks like a switch is a file', () => {
    assert.deepEqual(filesFromArgv(['/opt/Heatline/heatline', '--', '-odd-name.data'], packaged), ['/home/me/traces/-odd-name.data']);
    assert.deepEqual(filesFromArgv(['/x/electron', '.', '--', '--weird'], dev), ['/work/project/--weird']);
  });

  test('file:// URIs from desktop files become paths; other schemes are ignored; duplicates collapse', () => {
    assert.deepEqual(
      filesFromArgv(
        ['/opt/Heatline/heatline', 'file:///home/me/My%20Traces/perf.data', 'https://example.com/x.json', 'sftp://h/p', 'a.data', './a.data'],
        packaged,
      ),
      ['/home/me/My Traces/perf.data', '/home/me/traces/a.data'],
    );
  });
});

describe('recent files', () => {
  const entry = (path: string, openedAt: number): RecentFile => ({ path, name: path.split('/').at(-1)!, openedAt });

  test('opening a file puts it first, once, with its name', () => {
    const list = [entry('/a/one.data', 1), entry('/a/two.json', 2)];
    assert.deepEqual(withRecentFile(list, '/a/two.json', 9), [entry('/a/two.json', 9), entry('/a/one.data', 1)]);
    assert.deepEqual(withRecentFile([], '/x/perf.data', 5), [{ path: '/x/perf.data', name: 'perf.data', openedAt: 5 }]);
  });

  test(`keeps at most ${MAX_RECENT_FILES}, dropping the oldest`, () => {
    let list: RecentFile[] = [];
    for (let i = 0; i < 20; i++) list = withRecentFile(list, `/p/${i}.data`, i);
    assert.equal(list.length, MAX_RECENT_FILES);
    assert.equal(list[0]!.path, '/p/19.data');
    assert.equal(list.at(-1)!.path, '/p/5.data');
  });

  test('drops files that are gone', () => {
    const list = [entry('/a/here', 1), entry('/a/gone', 2)];
    assert.deepEqual(withoutMissingFiles(list, (path) => path === '/a/here'), [entry('/a/here', 1)]);
  });

  test('reading the stored file is lenient: damage gives fewer entries, never an error', () => {
    assert.deepEqual(parseRecentFiles('not json'), []);
    assert.deepEqual(parseRecentFiles('[1,2]'), []);
    assert.deepEqual(parseRecentFiles('{"version":2,"files":[]}'), []);
    const text = JSON.stringify({
      version: 1,
      files: [
        { path: '/ok/perf.data', name: 'ignored', openedAt: 3 },
        { path: 'relative.data', openedAt: 2 },
        { path: '/no-time.data' },
        null,
        { path: '/ok/perf.data', openedAt: 1 },
      ],
    });
    assert.deepEqual(parseRecentFiles(text), [entry('/ok/perf.data', 3)]);
    const list = [entry('/a/one.data', 1), entry('/b/two.json', 2)];
    assert.deepEqual(parseRecentFiles(serializeRecentFiles(list)), list);
  });

  test('the store persists, tells the OS, and notifies on change', () => {
    const folder = mkdtempSync(join(tmpdir(), 'heatline-recent-'));
    try {
      const file = join(folder, 'nested', 'recent-files.json');
      const told: string[] = [];
      let changes = 0;
      let clock = 100;
      const present = new Set(['/t/a.data', '/t/b.json']);
      const options = {
        file,
        exists: (path: string) => present.has(path),
        now: () => clock++,
        onAdd: (path: string) => told.push(`add ${path}`),
        onClear: () => told.push('clear'),
      };
      const store = createRecentFiles(options);
      store.onChange(() => changes++);
      store.add('/t/a.data');
      store.add('/t/b.json');
      store.add('relative/c.data'); // not remembered: it would mean another file tomorrow
      assert.deepEqual(
        store.list().map((recent) => recent.path),
        ['/t/b.json', '/t/a.data'],
      );
      assert.deepEqual(told, ['add /t/a.data', 'add /t/b.json']);
      assert.equal(changes, 2);

      // A second store (the next launch) reads the same list; a deleted file drops out.
      present.delete('/t/a.data');
      const again = createRecentFiles(options);
      assert.deepEqual(
        again.list().map((recent) => recent.path),
        ['/t/b.json'],
      );
      assert.equal(parseRecentFiles(readFileSync(file, 'utf8')).length, 1);

      again.clear();
      assert.deepEqual(again.list(), []);
      assert.equal(told.at(-1), 'clear');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a store that cannot write warns and keeps working in memory', () => {
    const folder = mkdtempSync(join(tmpdir(), 'heatline-recent-'));
    try {
      const blocker = join(folder, 'a-file');
      writeFileSync(blocker, '');
      const warnings: string[] = [];
      const store = createRecentFiles({ file: join(blocker, 'recent-files.json'), exists: () => true, warn: (m) => warnings.push(m) });
      assert.doesNotThrow(() => store.add('/t/a.data'));
      assert.deepEqual(
        store.list().map((recent) => recent.path),
        ['/t/a.data'],
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /could not save the recent files list/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('preload bridge', () => {
  test('has exactly one method per host call, plus on and pathForFile', () => {
    const bridge = makeBridge(
      async () => undefined,
      () => () => {},
      () => '',
    );
    assert.deepEqual(Object.keys(bridge).sort(), [...hostCallNames, 'on', 'pathForFile'].sort());
  });

  test("each call invokes its own channel with the argument as given, and returns the host's outcome", async () => {
    const sent: [string, unknown][] = [];
    const bridge = makeBridge(
      async (channel, args) => {
        sent.push([channel, args]);
        return { ok: true, value: channel };
      },
      () => () => {},
      () => '',
    );
    for (const name of hostCallNames) {
      const call = bridge[name] as (args: unknown) => Promise<unknown>;
      assert.deepEqual(await call({ probe: name }), { ok: true, value: channelFor(name) });
    }
    assert.deepEqual(
      sent,
      hostCallNames.map((name) => [`heatline:${name}`, { probe: name }]),
    );
  });

  test('on() subscribes through the transport and returns its unsubscribe; pathForFile forwards', () => {
    const received: [HostEventName, unknown][] = [];
    let unsubscribed = false;
    let deliver: ((name: HostEventName, payload: unknown) => void) | undefined;
    const bridge = makeBridge(
      async () => undefined,
      (listener) => {
        deliver = listener;
        return () => {
          unsubscribed = true;
        };
      },
      (file) => `/dropped/${(file as { name: string }).name}`,
    );
    const off = bridge.on((name, payload) => received.push([name, payload]));
    deliver!('openRequested', { path: '/x' });
    assert.deepEqual(received, [['openRequested', { path: '/x' }]]);
    off();
    assert.equal(unsubscribed, true);
    assert.equal(bridge.pathForFile({ name: 'perf.data' }), '/dropped/perf.data');
  });
});

describe('application menu', () => {
  const clicked: string[] = [];
  const context = (overrides: Partial<MenuContext>): MenuContext => ({
    platform: 'linux',
    isPackaged: true,
    appName: 'Heatline',
    homeDir: '/home/me',
    recentFiles: [],
    canLearnMore: false,
    actions: {
      open: () => clicked.push('open'),
      openRecent: (path) => clicked.push(`recent ${path}`),
      clearRecent: () => clicked.push('clear'),
      command: (command: MenuCommand) => clicked.push(command),
      about: () => clicked.push('about'),
      learnMore: () => clicked.push('learn'),
    },
    ...overrides,
  });

  function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
    return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
  }
  const find = (template: MenuItemConstructorOptions[], label: string) => items(template).find((item) => item.label === label);
  const click = (item: MenuItemConstructorOptions | undefined) =>
    (item?.click as (() => void) | undefined)?.();

  test('File has Open, Export and Close Profile with their shortcuts', () => {
    const template = menuTemplate(context({}));
    assert.equal(template[0]!.label, 'File');
    assert.equal(find(template, 'Open…')?.accelerator, 'CmdOrCtrl+O');
    assert.equal(find(template, 'Speedscope JSON…')?.accelerator, 'CmdOrCtrl+E');
    assert.equal(find(template, 'Close Profile')?.accelerator, 'CmdOrCtrl+W');
    clicked.length = 0;
    for (const label of ['Open…', 'Speedscope JSON…', 'Collapsed Stacks…', 'Close Profile']) click(find(template, label));
    assert.deepEqual(clicked, ['open', 'export-speedscope', 'export-collapsed', 'close-profile']);
  });

  test('Record and Attach are enabled and ask the window to open its dialogs', () => {
    const template = menuTemplate(context({}));
    clicked.length = 0;
    for (const [label, accelerator] of [
      ['Record…', 'CmdOrCtrl+R'],
      ['Attach to Process…', 'CmdOrCtrl+Shift+A'],
    ] as const) {
      const item = find(template, label);
      assert.notEqual(item?.enabled, false, label);
      assert.equal(item?.accelerator, accelerator);
      assert.equal(item?.sublabel, undefined);
      click(item);
    }
    assert.deepEqual(clicked, ['record', 'attach']);
  });

  test('a packaged app has no Reload and no DevTools; development has both', () => {
    const roles = (template: MenuItemConstructorOptions[]) => items(template).map((item) => item.role);
    assert.ok(!roles(menuTemplate(context({ isPackaged: true }))).includes('toggleDevTools'));
    assert.ok(!roles(menuTemplate(context({ isPackaged: true }))).includes('reload'));
    const dev = roles(menuTemplate(context({ isPackaged: false })));
    assert.ok(dev.includes('toggleDevTools') && dev.includes('reload'));
    for (const role of ['togglefullscreen', 'zoomIn', 'zoomOut', 'resetZoom', 'editMenu'] as const) {
      assert.ok(roles(menuTemplate(context({}))).includes(role), role);
    }
  });

  test('macOS: app menu first, Window menu, Cmd+W closes the window; Linux: Quit in File', () => {
    const mac = menuTemplate(context({ platform: 'darwin' }));
    assert.equal(mac[0]!.label, 'Heatline');
    assert.ok(items(mac).some((item) => item.role === 'windowMenu'));
    assert.ok(items(mac).some((item) => item.role === 'close'));
    assert.equal(find(mac, 'Close Profile')?.accelerator, 'CmdOrCtrl+Shift+W');
    assert.equal(find(mac, 'About Heatline'), undefined); // it is the app menu's role: 'about'
    const linux = menuTemplate(context({}));
    const file = linux[0]!.submenu as MenuItemConstructorOptions[];
    assert.equal(file.at(-1)!.role, 'quit');
    assert.ok(!items(linux).some((item) => item.role === 'windowMenu'));
  });

  test('Open Recent lists the files (home as ~), opens them, and can be cleared', () => {
    const empty = menuTemplate(context({}));
    assert.equal(find(empty, 'No Recent Files')?.enabled, false);
    assert.equal(find(empty, 'Clear Recent')?.enabled, false);
    const template = menuTemplate(
      context({ recentFiles: [{ path: '/home/me/t/perf.data', name: 'perf.data', openedAt: 1 }] }),
    );
    clicked.length = 0;
    click(find(template, '~/t/perf.data'));
    click(find(template, 'Clear Recent'));
    assert.deepEqual(clicked, ['recent /home/me/t/perf.data', 'clear']);
  });

  test('recent labels: ~ only for the home folder itself, & escaped off macOS', () => {
    assert.equal(recentLabel('/home/me/a.data', { homeDir: '/home/me/', platform: 'linux' }), '~/a.data');
    assert.equal(recentLabel('/home/meadow/a.data', { homeDir: '/home/me', platform: 'linux' }), '/home/meadow/a.data');
    assert.equal(recentLabel('/t/R&D.data', { homeDir: '/home/me', platform: 'linux' }), '/t/R&&D.data');
    assert.equal(recentLabel('/t/R&D.data', { homeDir: '/Users/me', platform: 'darwin' }), '/t/R&D.data');
  });

  test('Learn More is enabled only when a README is on disk', () => {
    assert.equal(find(menuTemplate(context({})), 'Learn More')?.enabled, false);
    assert.equal(find(menuTemplate(context({ canLearnMore: true })), 'Learn More')?.enabled, true);
  });
});

describe('CSP header and navigation guards', () => {
  test("the header repeats the page's own <meta> policy and adds frame-ancestors", () => {
    const html = `<!doctype html><head><meta charset="utf-8">
      <meta content="default-src 'none'; script-src 'self'" http-equiv="Content-Security-Policy"></head>`;
    assert.equal(cspFromHtml(html), "default-src 'none'; script-src 'self'");
    assert.equal(headerCsp(html), "default-src 'none'; script-src 'self'; frame-ancestors 'none'");
    assert.equal(cspFromHtml(`<meta http-equiv='content-security-policy' content="img-src &#39;self&#39;">`), "img-src 'self'");
  });

  test('without a <meta> policy (or a page) the strict fallback is used', () => {
    assert.equal(cspFromHtml('<meta charset="utf-8">'), null);
    assert.equal(headerCsp(null), `${FALLBACK_CSP}; frame-ancestors 'none'`);
    assert.equal(headerCsp('<html></html>'), `${FALLBACK_CSP}; frame-ancestors 'none'`);
  });

  test('web contents may navigate only to the app page, open no window, attach no webview', () => {
    type Listener = (event: { url: string; preventDefault(): void }) => void;
    const listeners = new Map<string, Listener[]>();
    let openHandler: (() => { action: string }) | undefined;
    const fake = {
      on(name: string, listener: Listener) {
        listeners.set(name, [...(listeners.get(name) ?? []), listener]);
        return fake;
      },
      setWindowOpenHandler(handler: () => { action: string }) {
        openHandler = handler;
      },
    };
    guardWebContents(fake as unknown as WebContents, appUrl);

    const fire = (name: string, url: string) => {
      let prevented = false;
      for (const listener of listeners.get(name) ?? []) listener({ url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    for (const name of ['will-frame-navigate', 'will-redirect']) {
      assert.equal(fire(name, 'https://example.com/'), true, name);
      assert.equal(fire(name, 'file:///etc/passwd'), true, name);
      assert.equal(fire(name, 'file:///home/me/perf.data'), true, `${name}: a file dropped outside the drop zone`);
      assert.equal(fire(name, `${appUrl}#reloaded`), false, name);
    }
    assert.equal(fire('will-attach-webview', appUrl), true);
    assert.deepEqual(openHandler?.(), { action: 'deny' });
  });
});

/**
 * main.ts and ipc.ts run against a fake 'electron' module (there is no
 * binary here): the startup order, the window's preferences, the IPC sender
 * check and dispatch, event delivery, the menu, and file opening, as wired.
 */
describe('main process wiring (fake Electron)', () => {
  type Listener = (...args: never[]) => unknown;
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    fire(name: string, ...args: unknown[]) {
      for (const listener of this.listeners.get(name) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
    }
  }
  let nextId = 1;
  class FakeContents extends Emitter {
    readonly id = nextId++;
    readonly sent: unknown[][] = [];
    destroyed = false;
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    isDestroyed() {
      return this.destroyed;
    }
    setWindowOpenHandler() {}
  }
  class FakeWindow extends Emitter {
    static all: FakeWindow[] = [];
    static getFocusedWindow() {
      return null;
    }
    readonly webContents = new FakeContents();
    loaded: string | undefined;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      FakeWindow.all.push(this);
    }
    loadFile(path: string) {
      this.loaded = path;
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    isVisible = () => false;
    show() {}
    focus() {}
    restore() {}
  }
  const calls: string[] = [];
  const handlers = new Map<string, (event: unknown, args: unknown) => unknown>();
  let menu: MenuItemConstructorOptions[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const userData = mkdtempSync(join(tmpdir(), 'heatline-userdata-'));
  after(() => rmSync(userData, { recursive: true, force: true }));
  const fakeApp = Object.assign(new Emitter(), {
    isPackaged: false,
    setName: (name: string) => calls.push(`setName ${name}`),
    enableSandbox: () => calls.push('enableSandbox'),
    requestSingleInstanceLock: () => (calls.push('lock'), true),
    quit: () => calls.push('quit'),
    whenReady: () => ready,
    getPath: () => userData,
    getVersion: () => '9.9.9',
    addRecentDocument: (path: string) => calls.push(`addRecentDocument ${path}`),
    clearRecentDocuments: () => {},
    setAboutPanelOptions: () => {},
    showAboutPanel: () => {},
  });
  const session = {
    setPermissionRequestHandler: () => calls.push('permissions'),
    setPermissionCheckHandler: () => {},
    setDevicePermissionHandler: () => {},
    webRequest: { onHeadersReceived: () => calls.push('csp') },
  };
  const fakeElectron = {
    app: fakeApp,
    BrowserWindow: FakeWindow,
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => template,
      setApplicationMenu: (template: MenuItemConstructorOptions[]) => (menu = template),
    },
    session: { defaultSession: session },
    shell: { openPath: async () => '' },
    dialog: {},
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, args: unknown) => unknown) => handlers.set(channel, handler),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
  };

  // Runs main.ts once, as Electron would, with `electron` resolved to the fake.
  const mainDir = join(__dirname, '..', '..', 'src-main', 'electron');
  const pageUrl = appPaths(mainDir, userData).pageUrl;
  const load = createRequire(__filename);
  const nodeModule = load('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const started = (async () => {
    const originalLoad = nodeModule._load;
    const originalArgv = process.argv;
    nodeModule._load = function (this: unknown, request: string, ...rest: unknown[]) {
      return request === 'electron' ? fakeElectron : originalLoad.call(this, request, ...rest);
    };
    Object.assign(process, { resourcesPath: userData });
    process.argv = [process.execPath, '/tmp/heatline-startup/perf.data', '--enable-logging'];
    try {
      load('../../src-main/electron/main.ts');
      fakeApp.fire('open-file', { preventDefault: () => calls.push('open-file handled') }, '/tmp/from-finder.data');
      calls.push(`windows before ready: ${FakeWindow.all.length}`, 'ready');
      markReady();
      await ready;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.argv = originalArgv;
      nodeModule._load = originalLoad;
    }
  })();

  const window = () => FakeWindow.all[0]!;
  const invoke = (channel: string, frame: unknown, sender: unknown = window().webContents, args: unknown = {}) =>
    handlers.get(channel)!({ sender, senderFrame: frame }, args) as Promise<{ ok: boolean; error?: string; value?: unknown }>;
  const appFrame = { parent: null, url: pageUrl };

  test('before ready: name, sandbox and lock first; guards and open-file listeners in place; no window yet', async () => {
    await started;
    assert.deepEqual(calls.slice(0, 3), ['setName Heatline', 'enableSandbox', 'lock']);
    assert.ok(calls.indexOf('open-file handled') < calls.indexOf('ready'));
    assert.ok(calls.includes('windows before ready: 0'));
    for (const event of ['web-contents-created', 'open-file', 'second-instance', 'window-all-closed']) {
      assert.ok(fakeApp.listeners.has(event), event);
    }
    assert.ok(calls.indexOf('permissions') > calls.indexOf('ready') && calls.includes('csp'));
  });

  test('one window, locked down, loading the app page with the preload', async () => {
    await started;
    assert.equal(FakeWindow.all.length, 1);
    const preferences = window().options.webPreferences;
    assert.equal(preferences.contextIsolation, true);
    assert.equal(preferences.sandbox, true);
    assert.equal(preferences.nodeIntegration, false);
    assert.equal(preferences.webSecurity, true);
    assert.match(String(preferences.preload), /preload[/\\]preload\.js$/);
    assert.equal(pathToFileURL(window().loaded!).href, pageUrl);
    // The startup and Finder files are held: the page has not called the host yet.
    assert.deepEqual(window().webContents.sent, []);
  });

  test('IPC: one handler per contract call; the app page is served, every other sender refused', async (t) => {
    await started;
    t.mock.method(console, 'warn', () => {});
    assert.deepEqual([...handlers.keys()].sort(), hostCallNames.map(channelFor).sort());
    const info = await invoke(channelFor('getHostInfo'), appFrame);
    assert.equal(info.ok, true);
    assert.deepEqual({ ...(info.value as object), platform: 'x' }, {
      mode: 'electron',
      platform: 'x',
      version: '9.9.9',
      canOpenPaths: true,
      nativeDialogs: true,
    });
    const refusals = [
      invoke(channelFor('getHostInfo'), { parent: {}, url: pageUrl }), // an iframe
      invoke(channelFor('getHostInfo'), { parent: null, url: 'https://example.com/' }),
      invoke(channelFor('getHostInfo'), null), // the frame is gone
      invoke(channelFor('getHostInfo'), appFrame, new FakeContents()), // not one of our windows
    ];
    for (const outcome of await Promise.all(refusals)) {
      assert.deepEqual(outcome, { ok: false, error: "getHostInfo: refused: only the app's own page may call the host" });
    }
    const bad = await invoke(channelFor('openFile'), appFrame, window().webContents, { path: '' });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /^openFile: bad argument at path/);
  });

  test('events wait for the page to call the host, then arrive in order; later ones go straight through', async () => {
    // The test above made the first call; check what it released.
    const contents = window().webContents;
    assert.deepEqual(contents.sent.slice(0, 2), [
      ['heatline:event', 'openRequested', { path: '/tmp/heatline-startup/perf.data' }],
      ['heatline:event', 'openRequested', { path: '/tmp/from-finder.data' }],
    ]);
    // A second launch with a file, relative to its own working directory.
    fakeApp.fire('second-instance', {}, ['/opt/Heatline/heatline', '--flag', 'x.data'], '/home/me/w');
    assert.deepEqual(contents.sent.at(-1), ['heatline:event', 'openRequested', { path: '/home/me/w/x.data' }]);
  });

  test('menu items reach the window as menuCommand events', async () => {
    await started;
    const items = (template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
      template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
    const exportItem = items(menu).find((item) => item.label === 'Speedscope JSON…');
    (exportItem!.click as () => void)();
    assert.deepEqual(window().webContents.sent.at(-1), ['heatline:event', 'menuCommand', { command: 'export-speedscope' }]);
  });

  test('a reloaded page gets its events held again until it calls', async () => {
    await started;
    const contents = window().webContents;
    contents.fire('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: pageUrl });
    const before = contents.sent.length;
    fakeApp.fire('second-instance', {}, ['/opt/Heatline/heatline', '/tmp/later.data'], '/');
    assert.equal(contents.sent.length, before);
    await invoke(channelFor('listRecent'), appFrame);
    assert.deepEqual(contents.sent.at(-1), ['heatline:event', 'openRequested', { path: '/tmp/later.data' }]);
  });

  test('closing the window disposes its host: its page can no longer call', async (t) => {
    await started;
    t.mock.method(console, 'warn', () => {});
    window().fire('closed');
    const outcome = await invoke(channelFor('getHostInfo'), appFrame);
    assert.equal(outcome.ok, false);
    fakeApp.fire('window-all-closed');
    if (process.platform !== 'darwin') assert.equal(calls.at(-1), 'quit');
  });
});
