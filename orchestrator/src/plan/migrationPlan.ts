// The Data Migration Plan: what discovery found on both sides and what the run will do. Written as JSON and HTML,
// approved by the admin, and read by every later step.
import type { SolutionSchema } from '@astep/solution/model';
import type { LicenseTier, MigrationOptions } from '../options';
import type { TimeEstimate } from './timeEstimate';
import type { EnumInventory } from './enumInventory';
import type { DocumentSpace } from './documentSpace';

export interface PlanOption<T> {
  name: keyof MigrationOptions;
  title: string;
  recommended: T;
  chosen: T;
  alternatives: T[];
  why: string;
}

export interface MatterTypePlan {
  actionTypeId: string;
  /** The firm's name of the type. */
  name: string;
  /** The astep_mattertype label it lands on (its own name unless the type map folds it into another). */
  choiceLabel: string;
  matters: number;
  choiceValue: number;
  /** true when the value is added to the global choice at provisioning (not in the base set). */
  added: boolean;
}

export interface RolePlan {
  participantTypeId: string;
  name: string;
  links: number;
  people: number;
  choiceValue: number;
  added: boolean;
}

export interface DataCollectionColumnPlan {
  fieldId: string;
  dataCollectionId: string;
  collectionName: string;
  fieldName: string;
  label: string;
  dataType: string;
  table: 'account' | 'astep_matter';
  column: string;
  columnType: string;
  /** Multi-record collections are kept as one JSON column: they cannot be flattened into one row per matter. */
  note: string | null;
}

export interface OwnerMatch {
  actionstepUserId: string;
  participantId: string | null;
  email: string | null;
  displayName: string | null;
  actionstepActive: boolean;
  systemUserId: string | null;
  systemUserName: string | null;
  outcome: 'matched' | 'disabled' | 'unmatched' | 'noEmail';
  /** The systemuser that will own the records: the match, or the fallback owner. */
  ownerId: string;
}

/** What discover found about one Actionstep sign-in (several read one firm only as different users seeing the same matters). */
export interface SessionCheck {
  /** Where the configuration lists it. */
  name: string;
  userId: string;
  userName: string | null;
  /** Matters its listing returns. */
  matters: number;
  /** Sees exactly the matters the first sign-in sees. */
  sameMatters: boolean;
  /** Up to 20 ids of matters only this sign-in sees, and of matters the first one sees and this one does not. */
  onlyThisSees: string[];
  notSeen: string[];
}

export interface MigrationPlan {
  version: 1;
  generatedAt: string;
  source: {
    orgkey: string | null;
    counts: Record<string, number>;
    matterStatuses: Record<string, number>;
    restrictedNote: string;
    /** The Actionstep sign-ins, when there are several: who each is and whether it sees the same matters. */
    sessions?: SessionCheck[];
    /** What the notes' files take where extract keeps them (absent where they are not kept on a disk). */
    documentSpace?: DocumentSpace;
  };
  destination: {
    webApiUrl: string;
    licenseTier: LicenseTier;
    existingCustomTables: string[];
    systemUsers: number;
    maxUploadFileSize: number;
    callerId: string;
    /** The organisation's base currency (ISO 4217), which money is shown in; null or absent when not known. */
    currency?: string | null;
  };
  options: MigrationOptions;
  optionChoices: Array<PlanOption<unknown>>;
  matterTypes: MatterTypePlan[];
  roles: RolePlan[];
  statusValues: Record<string, number>;
  /** Every value of every enum the mappings read, with counts; values Actionstep does not document flagged with their rule. */
  enums: EnumInventory[];
  dataCollectionColumns: DataCollectionColumnPlan[];
  owners: OwnerMatch[];
  fallbackOwnerId: string;
  tableBudget: { needed: string[]; count: number; limit: number | null; remaining: number | null; fits: boolean; message: string };
  estimates: {
    actionstepCalls: number;
    actionstepMinutes: number;
    dataverseRequests: number;
    dataverseRecords: number;
    dataverseMinutes: number;
    notes: string[];
  };
  /** How long each side takes at the pace measured or configured per identity, the entitlement used, and how many
   *  identities to add (absent in plans made before it existed). */
  time?: TimeEstimate;
  /** The schema to provision: the solution's tables this plan needs, plus data collection columns and choice values. */
  schema: SolutionSchema;
  warnings: string[];
}
