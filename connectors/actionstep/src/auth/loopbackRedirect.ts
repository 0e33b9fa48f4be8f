// The redirect target of the authorization-code flow for a command-line tool (RFC 8252 §7.3): a one-shot HTTP
// listener on 127.0.0.1 that accepts exactly one callback carrying the expected `state`, then closes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionstepError } from '../errors';

export interface LoopbackRedirectOptions {
  /** 0 (default) picks a free port; a registered redirect URI usually needs a fixed one. */
  port?: number;
  path?: string;
  expectedState: string;
  /** Give up waiting for the browser after this long. Default 5 minutes. */
  timeoutInMs?: number;
}

export interface LoopbackRedirectListener {
  redirectUri: string;
  /** Resolves with the authorization code of the first callback with the right state. */
  code: Promise<string>;
  close(): Promise<void>;
}

export async function startLoopbackRedirectListener(o: LoopbackRedirectOptions): Promise<LoopbackRedirectListener> {
  const callbackPath = o.path ?? '/callback';
  let settle!: { resolve: (c: string) => void; reject: (e: Error) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined); // observed by the caller; avoid an unhandled rejection if they never await it
  let done = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== callbackPath || done) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const page = (status: number, text: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
      res.end(`<!doctype html><title>Actionstep sign-in</title><p>${text}</p>`);
    };
    const error = url.searchParams.get('error');
    if (error) {
      page(400, 'Sign-in failed. You can close this window.');
      finish(new ActionstepError(`Actionstep sign-in failed: ${error} ${url.searchParams.get('error_description') ?? ''}`.trim(), { kind: 'auth', code: error }));
      return;
    }
    if (url.searchParams.get('state') !== o.expectedState) {
      // A callback with a foreign state may be a forged request (CSRF): refuse it and end the flow.
      page(400, 'Sign-in refused: the state does not match. Start the sign-in again.');
      finish(new ActionstepError('OAuth callback refused: state mismatch (possible forged request).', { kind: 'auth', code: 'state_mismatch' }));
      return;
    }
    const c = url.searchParams.get('code');
    if (!c) {
      page(400, 'Sign-in failed: no code. You can close this window.');
      finish(new ActionstepError('OAuth callback carried no authorization code.', { kind: 'auth' }));
      return;
    }
    page(200, 'Signed in to Actionstep. You can close this window.');
    finish(c);
  });
  const finish = (result: string | Error): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (typeof result === 'string') settle.resolve(result);
    else settle.reject(result);
    // Stop accepting; the answered connection ends by itself (Connection: close) once the page is flushed.
    server.close();
    server.closeIdleConnections();
  };
  const timer = setTimeout(
    () => finish(new ActionstepError('Timed out waiting for the Actionstep sign-in callback.', { kind: 'auth', code: 'timeout' })),
    o.timeoutInMs ?? 300_000,
  );
  timer.unref();
  const close = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${port}${callbackPath}`,
    code,
    close: async () => {
      if (!done) finish(new ActionstepError('Sign-in cancelled.', { kind: 'auth', code: 'cancelled' }));
      await close();
    },
  };
}
