/** The system Chromium the e2e tests and the benchmarks drive, through playwright-core. */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserServer, chromium } from 'playwright-core';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `CHROMIUM_PATH` or /usr/bin/chromium; never a downloaded browser. */
function chromiumPath(): string {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install it with \`apt-get install -y chromium\` ` +
        '(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium/Chrome executable.',
    );
  }
  return executablePath;
}

/** Launches the system Chromium for this process alone. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
}

/** Launches the system Chromium for other processes to connect to (see browser-server.ts). */
export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: chromiumPath(), args: chromiumArgs });
}
