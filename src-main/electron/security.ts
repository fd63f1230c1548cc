/**
 * Guards that apply to every web contents and to the session, whatever the
 * window: navigation and new windows denied, <webview> refused, permissions
 * denied, and a Content-Security-Policy header as defence in depth.
 *
 * The renderer's own <meta> CSP in out/renderer/index.html is the primary
 * policy (file:// responses may not pass through webRequest at all); the
 * header repeats that same policy, read from the built page, so the two can
 * never disagree, plus the one directive a <meta> cannot carry.
 *
 * Electron is imported for types only: main.ts passes the session and each
 * web contents in, and the unit tests pass fakes.
 */

import type { Session, WebContents } from 'electron';
import { isAppPage } from './sender-check';

/**
 * Used only when the built page has no CSP <meta> (a broken build): strict,
 * allowing just the app's own files, the inline styles that UI libraries
 * inject, and images/workers made from blobs in the page.
 */
export const FALLBACK_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

/** Not allowed in a <meta> CSP, so added to the header: no one may frame the app. */
const HEADER_ONLY_DIRECTIVES = "frame-ancestors 'none'";

/** The policy of the page's `<meta http-equiv="Content-Security-Policy" content="...">`, or null. */
export function cspFromHtml(html: string): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attributes = new Map<string, string>();
    for (const [, name, doubleQuoted, singleQuoted] of tag.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set(name!.toLowerCase(), decodeEntities(doubleQuoted ?? singleQuoted ?? ''));
    }
    const content = attributes.get('content')?.trim();
    if (attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy' && content) return content;
  }
  return null;
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The header policy for a page whose HTML is `html`. */
export function headerCsp(html: string | null): string {
  const policy = (html !== null ? cspFromHtml(html) : null) ?? FALLBACK_CSP;
  return `${policy.replace(/;\s*$/, '')}; ${HEADER_ONLY_DIRECTIVES}`;
}

/**
 * The only permission the app's page may have: writing plain text to the
 * clipboard (Copy in tables and context menus). Camera, notifications,
 * geolocation, the File System Access API (we use native dialogs), page
 * fullscreen (View > Toggle Full Screen is the window's own) and the rest are
 * refused, for the app's page and any other.
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function hardenSession(session: Session, pageUrl: string, csp: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && isAppPage(details.requestingUrl, pageUrl));
  });
  session.setPermissionCheckHandler(
    (_contents, permission, _origin, details) =>
      ALLOWED_PERMISSIONS.has(permission) && isAppPage(details.requestingUrl ?? '', pageUrl),
  );
  session.setDevicePermissionHandler(() => false);

  session.webRequest.onHeadersReceived((details, callback) => {
    // Documents only: a CSP header on a stylesheet or image means nothing.
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    // Added beside any policy the response already has: several policies all apply.
    const headers = { ...details.responseHeaders };
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === 'content-security-policy');
    const policies = existing !== undefined ? (headers[existing] ?? []) : [];
    if (existing !== undefined) delete headers[existing];
    headers['Content-Security-Policy'] = [...policies, csp];
    callback({ responseHeaders: headers });
  });
}

/**
 * For every web contents the app ever creates (main.ts calls this from
 * `web-contents-created`): the page may not navigate anywhere but the app's
 * own page, open windows, or attach a <webview>. `will-frame-navigate` covers
 * the main frame and every subframe (it is the superset of `will-navigate`);
 * `will-redirect` covers a permitted navigation that a server redirects.
 * No link in the app leads outside it, so nothing is ever handed to
 * shell.openExternal.
 */
export function guardWebContents(contents: WebContents, pageUrl: string): void {
  const denyUnlessAppPage = (event: { url: string; preventDefault(): void }) => {
    if (!isAppPage(event.url, pageUrl)) event.preventDefault();
  };
  contents.on('will-frame-navigate', denyUnlessAppPage);
  contents.on('will-redirect', denyUnlessAppPage);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
