import { createHash } from 'node:crypto';
import { RESOURCE_NAMES, fromWire, toWire } from '@astep/actionstep-connector/resources';
import type { ResourceName } from '@astep/actionstep-connector/records';
import { generateFirm, type GeneratedFirm } from '@astep/actionstep-emulator/generator';

function digest(firm: GeneratedFirm): string {
  const h = createHash('sha256');
  for (const r of RESOURCE_NAMES) for (const rec of firm.iterate(r)) h.update(JSON.stringify(rec));
  for (const t of firm.iterateTrustLedger()) h.update(JSON.stringify(t));
  h.update(JSON.stringify(firm.dataverseUsers));
  return h.digest('hex');
}

describe('generateFirm', () => {
  it('is deterministic from the seed and differs across seeds', () => {
    const a = digest(generateFirm({ size: 'tiny', seed: 7 }));
    expect(digest(generateFirm({ size: 'tiny', seed: 7 }))).toBe(a);
    expect(digest(generateFirm({ size: 'tiny', seed: 8 }))).not.toBe(a);
  });

  it.each(['tiny', 'demo'] as const)('%s: iterate() yields exactly the declared counts, with unique ids', (size) => {
    const firm = generateFirm({ size, seed: 3 });
    let total = 0;
    for (const r of RESOURCE_NAMES) {
      const ids = new Set<string>();
      for (const rec of firm.iterate(r)) ids.add((rec as { id: string }).id);
      expect({ r, n: ids.size }).toEqual({ r, n: firm.counts[r] });
      total += ids.size;
    }
    expect(total).toBe(firm.totalRecords);
    expect([...firm.iterateTrustLedger()].length).toBe(firm.counts.trustledger);
    if (size === 'tiny') expect(firm.counts.actions).toBe(50);
    else expect(total).toBeGreaterThan(22_000);
  });

  it('declares the sizes: medium ~100k, large ~300k, xl >= 1,000,000 records', () => {
    expect(generateFirm({ size: 'medium' }).totalRecords).toBeGreaterThan(90_000);
    expect(generateFirm({ size: 'large' }).totalRecords).toBeGreaterThan(280_000);
    expect(generateFirm({ size: 'xl' }).totalRecords).toBeGreaterThanOrEqual(1_000_000);
  });

  it('xl: iterating a slice streams without building the firm', () => {
    const firm = generateFirm({ size: 'xl', seed: 1 });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let n = 0;
    for (const rec of firm.iterate('timeentries')) {
      if (!rec.id) throw new Error('no id');
      if (++n >= 20_000) break;
    }
    const grown = process.memoryUsage().heapUsed - before;
    expect(n).toBe(20_000);
    // 20k entries held would be > 10 MB; streaming keeps the growth to garbage not yet collected.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  it('builds a realistic firm: types with collections (one with 50+ fields), roles, solo and company clients', () => {
    const firm = generateFirm({ size: 'demo', seed: 5 });
    const fieldsPerDc = new Map<string, number>();
    for (const f of firm.iterate('datacollectionfields')) fieldsPerDc.set(f.dataCollectionId, (fieldsPerDc.get(f.dataCollectionId) ?? 0) + 1);
    expect(Math.max(...fieldsPerDc.values())).toBeGreaterThanOrEqual(50);
    expect(firm.counts.actiontypes).toBeGreaterThanOrEqual(5);
    const roleNames = [...firm.iterate('participanttypes')].map((t) => t.name);
    expect(roleNames).toEqual(expect.arrayContaining(['Client', 'Lawyer', 'Paralegal', 'Other Side', 'Other Side Lawyer', 'Witness', 'Referrer']));
    const companies = new Set([...firm.iterate('participants')].filter((p) => p.isCompany).map((p) => p.id));
    const clientsByMatter = new Map<string, string[]>();
    const rolesByPerson = new Map<string, Set<string>>();
    for (const ap of firm.iterate('actionparticipants')) {
      if (ap.participantTypeId === '1') clientsByMatter.set(ap.actionId, [...(clientsByMatter.get(ap.actionId) ?? []), ap.participantId]);
      const s = rolesByPerson.get(ap.participantId) ?? new Set();
      s.add(`${ap.actionId}/${ap.participantTypeId}`);
      rolesByPerson.set(ap.participantId, s);
    }
    const solo = [...clientsByMatter.values()].filter((c) => c.length === 1 && !companies.has(c[0]));
    const companyClients = [...clientsByMatter.values()].filter((c) => companies.has(c[0]));
    expect(solo.length).toBeGreaterThan(50);
    expect(companyClients.length).toBeGreaterThan(50);
    expect(Math.max(...[...rolesByPerson.values()].map((s) => s.size))).toBeGreaterThan(10);
    const users = firm.users;
    expect(users.some((u) => !u.isActive)).toBe(true);
    const dvEmails = new Set(firm.dataverseUsers.map((u) => u.email.toLowerCase()));
    expect(users.some((u) => u.isActive && !dvEmails.has(u.emailAddress!.toLowerCase()))).toBe(true);
    expect(firm.dataverseUsers.some((u) => u.isDisabled && users.some((x) => x.emailAddress === u.email.toLowerCase()))).toBe(true);
    expect(firm.dataverseUsers.some((u) => users.some((x) => x.emailAddress !== u.email && x.emailAddress === u.email.toLowerCase()))).toBe(true);
    expect([...firm.iterate('filenotes')].some((n) => n.source === 'System')).toBe(true);
  });

  it('plants every anomaly kind at the messy rate, each with resource, id, field and detail', () => {
    const firm = generateFirm({ size: 'demo', seed: 11 });
    const anomalies = [...firm.iterateAnomalies()];
    const kinds = new Set(anomalies.map((a) => a.kind));
    for (const k of ['duplicate-person', 'invalid-email', 'invalid-date', 'overlong-text', 'html', 'emoji', 'odata-special', 'orphan-link', 'unknown-enum']) {
      expect(kinds).toContain(k);
    }
    const notes = new Map([...firm.iterate('filenotes')].map((n) => [n.id, n]));
    const html = anomalies.find((a) => a.kind === 'html')!;
    expect(notes.get(html.id)?.text).toMatch(/<\w+/);
    const tasks = [...firm.iterate('tasks')];
    expect(tasks.some((t) => t.status === 'Waiting')).toBe(true);
    const matters = new Set([...firm.iterate('actions')].map((a) => a.id));
    const orphan = anomalies.find((a) => a.kind === 'orphan-link')!;
    const te = [...firm.iterate('timeentries')].find((t) => t.id === orphan.id)!;
    expect(matters.has(te.actionId!)).toBe(false);
    expect(generateFirm({ size: 'tiny', seed: 11, messyRate: 0 }).iterateAnomalies()[Symbol.iterator]().next().done).toBe(true);
    // Even at messyRate 1 the firm generates (duplicates never chain).
    const worst = generateFirm({ size: 'tiny', seed: 11, messyRate: 1 });
    expect([...worst.iterate('participants')]).toHaveLength(worst.counts.participants);
    const people = new Map([...firm.iterate('participants')].map((p) => [p.id, p]));
    for (const d of anomalies.filter((a) => a.kind === 'duplicate-person')) {
      const dup = people.get(d.id)!;
      const original = people.get(String(Number(d.id) - 1))!;
      expect(dup.email).not.toBe(original.email);
      expect(dup.email!.toLowerCase()).toBe(original.email!.toLowerCase());
      expect(dup.displayName).toBe(original.displayName);
    }
  });

  it('every generated record survives toWire/fromWire unchanged', () => {
    const firm = generateFirm({ size: 'tiny', seed: 9 });
    const roundTrip = <R extends ResourceName>(r: R): void => {
      for (const rec of firm.iterate(r)) expect(fromWire(r, JSON.parse(JSON.stringify(toWire(r, rec))))).toEqual(rec);
    };
    // users are skipped: displayName comes from the sideloaded participant (tested in resources.test)
    for (const r of RESOURCE_NAMES) if (r !== 'users') roundTrip(r);
  });

  it('ground truth honours restricted matters and soft deletes', () => {
    const firm = generateFirm({ size: 'demo', seed: 2 });
    const admin = firm.groundTruth();
    const restricted = [...firm.iterateRestrictedMatters()];
    expect(restricted.length).toBeGreaterThan(5);
    const other = restricted.find((x) => !x.userIds.includes('1'))!;
    expect(admin.hiddenActionIds).toContain(other.actionId);
    expect(admin.records.actions.some((a) => a.id === other.actionId)).toBe(false);
    expect(admin.records.timeentries.some((t) => t.actionId === other.actionId)).toBe(false);
    const owner = firm.groundTruth(other.userIds[0]);
    expect(owner.hiddenActionIds).not.toContain(other.actionId);
    expect(admin.deletedActionIds.length).toBeGreaterThan(0);
    expect(admin.records.actions.some((a) => a.isDeleted)).toBe(false);
    const ids = new Set(admin.records.timeentries.map((t) => t.id));
    for (const a of admin.anomalies.filter((x) => x.resource === 'timeentries')) expect(ids.has(a.id)).toBe(true);
    expect(admin.anomalies.length).toBeLessThanOrEqual([...firm.iterateAnomalies()].length);
    expect(() => generateFirm({ size: 'medium' }).groundTruth()).toThrow(/only produced for tiny and demo/);
  });

  it('serves document bytes deterministically, large ones on demand', () => {
    const firm = generateFirm({ size: 'tiny', seed: 4 });
    const docs = [...firm.iterate('actiondocuments')];
    const big = docs.filter((d) => (d.fileSize ?? 0) > 4 * 1024 * 1024);
    expect(big.length).toBeGreaterThanOrEqual(1);
    const small = docs.find((d) => (d.fileSize ?? 0) < 5000)!;
    const f = firm.file(small.file!)!;
    expect(f.size).toBe(small.fileSize);
    const all = f.read(0, f.size);
    expect(all.length).toBe(f.size);
    expect(Buffer.concat([f.read(0, 100), f.read(100, f.size)]).equals(all)).toBe(true);
    expect(firm.file(big[0].file!)!.read(4_194_300, 4_194_310).length).toBe(10);
    expect(firm.file('DL::Actions::1::999999')).toBeNull();
  });
});
