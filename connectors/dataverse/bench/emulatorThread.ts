// The Dataverse emulator in a worker thread, for benchmarks: its SQLite work then runs on its own core instead of
// sharing one event loop with the loader it measures, and its event-loop utilisation tells whether it was the
// bottleneck. The worker is this same bundle started again with workerData (run-ts bundles one entry file).
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startDataverseEmulator, type DataverseEmulatorOptions } from '@astep/dataverse-emulator';

const ROLE = 'astep-dataverse-emulator';

export interface EmulatorThread {
  url: string;
  webApiUrl: string;
  tenantId: string;
  /** Starts measuring the emulator's busy share (event-loop utilisation). */
  mark(): Promise<void>;
  /** Share of the time since mark() the emulator's event loop was busy (0..1). */
  busy(): Promise<number>;
  close(): Promise<void>;
}

type Message = { type: 'ready'; url: string; webApiUrl: string; tenantId: string } | { type: 'mark' } | { type: 'busy'; value: number } | { type: 'closed' };

/** True inside the worker; the bench's entry calls serveEmulatorThread() then and nothing else. */
export function isEmulatorThread(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

export async function serveEmulatorThread(): Promise<void> {
  const emu = await startDataverseEmulator((workerData as { options: DataverseEmulatorOptions }).options);
  let since = performance.eventLoopUtilization();
  const port = parentPort!;
  port.on('message', (m: { type: string }) => {
    if (m.type === 'mark') {
      since = performance.eventLoopUtilization();
      port.postMessage({ type: 'mark' } satisfies Message);
    } else if (m.type === 'busy') {
      port.postMessage({ type: 'busy', value: performance.eventLoopUtilization(since).utilization } satisfies Message);
    } else if (m.type === 'close') {
      void emu.close().then(() => port.postMessage({ type: 'closed' } satisfies Message));
    }
  });
  port.postMessage({ type: 'ready', url: emu.url, webApiUrl: emu.webApiUrl, tenantId: emu.tenantId } satisfies Message);
}

export function startEmulatorThread(options: DataverseEmulatorOptions): Promise<EmulatorThread> {
  const worker = new Worker(__filename, { workerData: { role: ROLE, options } });
  const ask = <T extends Message>(type: 'mark' | 'busy' | 'close', answer: T['type']) =>
    new Promise<T>((resolve) => {
      const on = (m: Message) => {
        if (m.type !== answer) return;
        worker.off('message', on);
        resolve(m as T);
      };
      worker.on('message', on);
      worker.postMessage({ type });
    });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: Message) => {
      if (m.type !== 'ready') return reject(new Error(`the emulator thread answered ${m.type} before it was ready`));
      resolve({
        url: m.url,
        webApiUrl: m.webApiUrl,
        tenantId: m.tenantId,
        mark: async () => void (await ask('mark', 'mark')),
        busy: async () => (await ask<Extract<Message, { type: 'busy' }>>('busy', 'busy')).value,
        close: async () => {
          await ask('close', 'closed');
          await worker.terminate();
        },
      });
    });
  });
}
