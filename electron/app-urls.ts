/** The desktop app's own origin: a privileged custom scheme that serves `dist/` (see main.ts). */
export const appScheme = 'app';
export const appHost = 'pymark';
export const appStartUrl = `${appScheme}://${appHost}/`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** A page of the app itself: the only place the window may navigate to or take IPC from. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed?.protocol === `${appScheme}:` && parsed.host === appHost;
}

/** A web page, which belongs in the OS browser; other schemes (file:, javascript:, …) go nowhere. */
export function isWebUrl(url: string): boolean {
  const protocol = parse(url)?.protocol;
  return protocol === 'https:' || protocol === 'http:';
}
