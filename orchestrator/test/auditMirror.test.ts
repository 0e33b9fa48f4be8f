// The audit mirror to Dataverse (astep_auditentry) runs while the run writes: whole chunks of entries already done,
// never past one still pending (its outcome is not known), and the mirror after the run sends the tail. Nothing twice,
// nothing left out, in sequence order.
import { mirrorAudit } from '../src/safety/mirror';
import type { AuditEntry, SinkPort, SinkUpsertTarget, TableInfo } from '../src/ports';
import { MemoryStore } from './memoryStore';

function entry(i: number): Omit<AuditEntry, 'seq'> {
  return {
    runId: 'r1', phase: 'run', operation: 'create', table: 'contact', key: `P-${i}`, targetId: `id-${i}`, sourceResource: 'participants', sourceId: String(i),
    before: null, after: { contactid: `id-${i}` }, errorCode: null, message: null, status: 'pending', occurredOn: '2026-12-05T00:00:00Z',
  };
}

describe('the audit mirror', () => {
  test('while writing: whole chunks only, up to the first pending entry; after: the rest, each entry once, in order', async () => {
    const store = new MemoryStore();
    const sent: string[] = [];
    const sink = {
      async upsert(info: TableInfo, targets: SinkUpsertTarget[]) {
        expect(info.logicalName).toBe('astep_auditentry');
        sent.push(...targets.map((t) => String((t.key as { astep_auditkey: string }).astep_auditkey)));
        return targets.map((t, index) => ({ index, ref: t.ref, outcome: 'updated' as const }));
      },
    } as unknown as SinkPort;
    const first = store.addPendingAudit(Array.from({ length: 2500 }, (_, i) => entry(i)));
    for (const e of first) store.completeAudit('r1', e.seq, {});
    const [waiting] = store.addPendingAudit([entry(2500)]);
    const later = store.addPendingAudit(Array.from({ length: 600 }, (_, i) => entry(2501 + i)));
    for (const e of later) store.completeAudit('r1', e.seq, {});

    // The run record goes before the first chunk, once, and only when a chunk goes.
    const runRecordAt: number[] = [];
    const beforeFirstChunk = async () => void runRecordAt.push(sent.length);
    const during = await mirrorAudit(sink, store, 'r1', { wholeChunksOnly: true, slots: () => 3, beforeFirstChunk });
    expect(during.auditRows).toBe(2000); // two chunks of 1,000; the other 500 wait for a whole chunk or the end
    expect(sent).toEqual(first.slice(0, 2000).map((e) => `r1|${e.seq}`));
    expect(runRecordAt).toEqual([0]);

    const again = await mirrorAudit(sink, store, 'r1', { wholeChunksOnly: true, beforeFirstChunk });
    expect(again.auditRows).toBe(0); // still stopped by the pending entry: 500 done before it are not a whole chunk
    expect(runRecordAt).toEqual([0]);

    store.completeAudit('r1', waiting.seq, {});
    const after = await mirrorAudit(sink, store, 'r1');
    expect(after.auditRows).toBe(1101);
    const all = [...first, waiting, ...later].map((e) => `r1|${e.seq}`);
    expect(sent).toEqual(all);
  });
});
