/**
 * The application menu, as a template: what the items are, their shortcuts
 * and what they do (through `actions`, which main.ts implements). Pure apart
 * from Electron's types, so the unit tests check it under Node; main.ts
 * builds and installs it (Menu.buildFromTemplate), and rebuilds it when the
 * recent-files list changes.
 *
 * Platform conventions come from Electron's roles and `CmdOrCtrl`: on macOS
 * the app menu comes first and holds About/Hide/Quit, there is a Window menu,
 * and Cmd+W closes the window (the app stays open, as Mac apps do); on Linux
 * Quit is in File and Ctrl+W closes the profile.
 */

import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, RecentFile } from '../../src-shared/contract';

export interface MenuActions {
  /** Show the Open dialog and open the chosen file in the window. */
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  /** A command the window carries out (export, close profile). */
  command(command: MenuCommand): void;
  about(): void;
  learnMore(): void;
}

export interface MenuContext {
  platform: NodeJS.Platform;
  /** Packaged builds have no Reload and no DevTools items. */
  isPackaged: boolean;
  appName: string;
  /** Shown as ~ in Open Recent. */
  homeDir: string;
  recentFiles: readonly RecentFile[];
  /** A README was found on disk (Help > Learn More opens it; there are no network links). */
  canLearnMore: boolean;
  actions: MenuActions;
}

export function menuTemplate(context: MenuContext): MenuItemConstructorOptions[] {
  const mac = context.platform === 'darwin';
  const { actions } = context;
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const appMenu: MenuItemConstructorOptions = {
    label: context.appName,
    submenu: [
      { role: 'about' },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };

  const fileMenu: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      { label: 'Open Recent', submenu: recentSubmenu(context) },
      separator,
      // The window opens its record and attach dialogs (recording runs in the host, started from there).
      { label: 'Record…', accelerator: 'CmdOrCtrl+R', click: () => actions.command('record') },
      { label: 'Attach to Process…', accelerator: 'CmdOrCtrl+Shift+A', click: () => actions.command('attach') },
      separator,
      {
        label: 'Export',
        submenu: [
          { label: 'Speedscope JSON…', accelerator: 'CmdOrCtrl+E', click: () => actions.command('export-speedscope') },
          { label: 'Collapsed Stacks…', click: () => actions.command('export-collapsed') },
        ],
      },
      separator,
      // On macOS Cmd+W belongs to the window (below); the profile gets Shift.
      {
        label: 'Close Profile',
        accelerator: mac ? 'CmdOrCtrl+Shift+W' : 'CmdOrCtrl+W',
        click: () => actions.command('close-profile'),
      },
      ...(mac ? [{ role: 'close' } as const] : [separator, { role: 'quit' } as const]),
    ],
  };

  const viewMenu: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      // Development only: a packaged app has nothing to reload and no DevTools
      // in its menu. Reload moves off Ctrl+R, which File > Record will own.
      ...(context.isPackaged
        ? []
        : [
            { role: 'reload', accelerator: 'CmdOrCtrl+Shift+R' } as const,
            { role: 'toggleDevTools' } as const,
            separator,
          ]),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const helpMenu: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      // macOS has About in the app menu.
      ...(mac ? [] : [{ label: `About ${context.appName}`, click: () => actions.about() }]),
      { label: 'Learn More', enabled: context.canLearnMore, click: () => actions.learnMore() },
    ],
  };

  return [
    ...(mac ? [appMenu] : []),
    fileMenu,
    { role: 'editMenu' },
    viewMenu,
    ...(mac ? [{ role: 'windowMenu' } as const] : []),
    helpMenu,
  ];
}

function recentSubmenu(context: MenuContext): MenuItemConstructorOptions[] {
  const { actions, recentFiles } = context;
  const items: MenuItemConstructorOptions[] =
    recentFiles.length === 0
      ? [{ label: 'No Recent Files', enabled: false }]
      : recentFiles.map((file) => ({
          label: recentLabel(file.path, context),
          click: () => actions.openRecent(file.path),
        }));
  return [...items, { type: 'separator' }, { label: 'Clear Recent', enabled: recentFiles.length > 0, click: () => actions.clearRecent() }];
}

/**
 * The full path, so two perf.data files in different folders can be told
 * apart, with the home folder as ~. On Linux and Windows `&` marks a mnemonic
 * in a label, so a literal one is doubled.
 */
export function recentLabel(path: string, { homeDir, platform }: Pick<MenuContext, 'homeDir' | 'platform'>): string {
  const home = homeDir.replace(/[/\\]+$/, '');
  const shown = home !== '' && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
  return platform === 'darwin' ? shown : shown.replace(/&/g, '&&');
}
