// The in-memory driver's units: records of a resource (with their staging ids) and the groups the grouped feeds
// map, built from the FirmIndex. A streaming driver builds the same units from ordered queries on staging.
import type { RecordsByResource, ResourceName } from '@astep/actionstep-connector/records';
import type { FirmIndex, StagedResource } from '../transform/firmData';
import { trustRowId } from '../run/trustExtraction';
import type { FirmLookups } from './firmLookups';
import type { AccountGroup, MatterTasks, PersonGroup } from './units';

export interface StagedUnit {
  id: string;
  record: unknown;
}

/** What a driver hands the mappings: every staged record of a resource and the groups of the grouped feeds. */
export interface UnitSource {
  records<R extends ResourceName>(resource: R): Iterable<RecordsByResource[R]>;
  /** Every staged record with its staging id (trust ledger rows have no id of their own). */
  staged(resource: StagedResource): Iterable<StagedUnit>;
  clientAccounts(): Iterable<AccountGroup>;
  people(): Iterable<PersonGroup>;
  matterTasks(): Iterable<MatterTasks>;
}

export class FirmUnits implements UnitSource {
  constructor(private readonly index: FirmIndex, private readonly lookups: FirmLookups) {}

  records<R extends ResourceName>(resource: R): Iterable<RecordsByResource[R]> {
    return this.index.data[resource] as unknown as Array<RecordsByResource[R]>;
  }

  *staged(resource: StagedResource): Iterable<StagedUnit> {
    if (resource === 'trustledger') {
      for (const row of this.index.data.trustLedger) yield { id: trustRowId(row.line), record: row };
      return;
    }
    for (const r of this.index.data[resource] as Array<{ id: string }>) yield { id: r.id, record: r };
  }

  *clientAccounts(): Iterable<AccountGroup> {
    for (const [key, matters] of this.lookups.accountGroups()) yield { key, matters };
  }

  /**
   * People on migrating matters (roles from actionparticipants, clients from primary participants), deduplicated; the
   * firm's own staff are not among them (they are users, not contacts of their clients).
   */
  people(): Iterable<PersonGroup> {
    const { index, lookups } = this;
    const groups = new Map<string, PersonGroup>();
    for (const ap of index.data.actionparticipants) {
      if (!lookups.migrates(ap.actionId)) continue;
      const p = index.participants.get(ap.participantId);
      if (!p || p.isCompany || lookups.isFirmStaff(p.id)) continue;
      const canonicalId = lookups.canonicalPerson(p.id);
      let g = groups.get(canonicalId);
      if (!g) {
        g = { canonical: index.participants.get(canonicalId) ?? p, members: [], roles: new Map() };
        groups.set(canonicalId, g);
      }
      if (!g.members.includes(p)) g.members.push(p);
      const set = g.roles.get(ap.participantTypeId) ?? new Set<string>();
      set.add(ap.actionId);
      g.roles.set(ap.participantTypeId, set);
    }
    // Primary participants (clients) count even without an actionparticipants row.
    for (const m of index.data.actions) {
      if (!lookups.migrates(m.id)) continue;
      for (const pid of m.primaryParticipantIds) {
        const p = index.participants.get(pid);
        if (!p || p.isCompany) continue;
        const canonicalId = lookups.canonicalPerson(p.id);
        const g = groups.get(canonicalId);
        if (!g) groups.set(canonicalId, { canonical: index.participants.get(canonicalId) ?? p, members: [p], roles: new Map() });
        else if (!g.members.includes(p)) g.members.push(p);
      }
    }
    for (const g of groups.values()) g.members.sort((a, b) => Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : 1));
    return groups.values();
  }

  *matterTasks(): Iterable<MatterTasks> {
    for (const [matterId, tasks] of this.index.tasksByMatter) yield { matterId, tasks };
    const unlinked = this.index.data.tasks.filter((t) => !t.actionId);
    if (unlinked.length) yield { matterId: null, tasks: unlinked };
  }
}
