// The groups some mappings take as one unit. A driver builds them (the in-memory one in firmUnits.ts); a mapping
// reads only its group and the lookups.
import type { Matter, Participant, Task } from '@astep/actionstep-connector/records';

/** A client's migrating matters, oldest first, and the account they land on. */
export interface AccountGroup {
  /** astep_sourceid of the account: `P-<participant>` for a client organisation, `M-<matter>` for a solo client. */
  key: string;
  matters: Matter[];
}

/** A person on migrating matters, deduplicated: the canonical participant, every member, every role. */
export interface PersonGroup {
  canonical: Participant;
  /** Members of the duplicate group that are on migrating matters, lowest id first. */
  members: Participant[];
  /** participantTypeId → ids of the migrating matters where the person holds that role. */
  roles: Map<string, Set<string>>;
}

/** A matter's tasks, in source order; `matterId` is null for the tasks that link to no matter. */
export interface MatterTasks {
  matterId: string | null;
  tasks: Task[];
}
