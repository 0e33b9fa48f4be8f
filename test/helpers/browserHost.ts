// What every browser test needs: Debian's chromium through playwright-core (never a downloaded browser) and a small
// HTTP server on 127.0.0.1 for the host page and the built bundles.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless chromium with the flags that keep it off the network (see ../shared/reference/toolchain.md). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/**
 * For pages playwright serves on a stand-in's origin (route.fulfill): chromium gives such a response no address, so
 * it counts as public, and its Local Network Access checks refuse the page's calls to the other stand-ins on
 * 127.0.0.1. In the cloud every host involved is public; only the test puts them on loopback.
 */
export const ALLOW_LOOPBACK_FROM_ROUTED_PAGES = '--disable-features=LocalNetworkAccessChecks';

/** Path → [content type, body or a function giving it (read when asked, so late values are served)]. */
export type HostFiles = Record<string, [string, string | Buffer | (() => string | Buffer | Promise<string | Buffer>)]>;

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

export async function serveFiles(files: HostFiles): Promise<FileServer> {
  const server = http.createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    const [type, body] = f;
    void Promise.resolve(typeof body === 'function' ? body() : body)
      .then((b) => res.writeHead(200, { 'content-type': type }).end(b))
      .catch((e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
