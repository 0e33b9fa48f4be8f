// Node transport: keep-alive agents so bulk loads reuse connections (maxSockets >= the degree of parallelism).
// Node-only: the browser entry (browser.ts) never imports this file.
import http from 'node:http';
import https from 'node:https';
import type { HttpTransport } from './types';

export function createNodeTransport(o: { maxSockets?: number } = {}): HttpTransport {
  const maxSockets = o.maxSockets ?? 64;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  return {
    send(request) {
      return new Promise((resolve, reject) => {
        const url = new URL(request.url);
        const isHttps = url.protocol === 'https:';
        const headers: Record<string, string | number> = { ...request.headers };
        if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
        const req = (isHttps ? https : http).request(
          url,
          { method: request.method, headers, agent: isHttps ? httpsAgent : httpAgent, signal: request.abortSignal },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            let ended = false;
            res.on('error', reject);
            // A connection cut mid-body emits 'close' without 'end': that is a network failure, not a short body.
            res.on('close', () => {
              if (!ended) reject(new Error('The connection closed before the response was complete.'));
            });
            res.on('end', () => {
              ended = true;
              const out: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
              resolve({ status: res.statusCode ?? 0, headers: out, bodyText: Buffer.concat(chunks).toString('utf8') });
            });
          },
        );
        if (request.timeoutInMs) req.setTimeout(request.timeoutInMs, () => req.destroy(new Error(`Request timed out after ${request.timeoutInMs} ms`)));
        req.on('error', reject);
        if (request.body !== undefined) req.write(request.body);
        req.end();
      });
    },
  };
}
