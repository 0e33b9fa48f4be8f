// The named questions a mapping may ask about the rest of the firm while it maps one record or one group. This is
// the whole of what a mapping sees beyond its unit: no firm-wide arrays. Implemented over the in-memory FirmIndex
// (firmLookups.ts); a streaming driver implements the same interface with indexed queries on staging. Every
// question is synchronous and answers from staged data and the plan only, so a map function stays pure.
import type { ActionParticipant, DataCollectionRecordValue, Matter, Participant, User } from '@astep/actionstep-connector/records';
import type { MigrationOptions } from '../options';
import type { DataCollectionColumnPlan, MatterTypePlan, OwnerMatch, RolePlan } from '../plan/migrationPlan';
import type { BillingTotal, MatterTrust } from '../transform/firmData';

export interface MappingLookups {
  /** The plan's options. */
  readonly options: MigrationOptions;
  /** Base URL of Actionstep file downloads (documents kept as links). */
  readonly filesUrl: string;
  /** Dataverse's note attachment limit, in base64 characters. */
  readonly maxUploadFileSize: number;

  // ---- matters ----
  /** The staged matter, or null when there is none with this id (an orphan link). */
  matterOf(matterId: string | null): Matter | null;
  /** Why a matter does not migrate (deleted, a template the plan skips), or null when it does. */
  matterSkipReason(matter: Matter): string | null;
  /** The matter exists and migrates. */
  migrates(matterId: string): boolean;
  /** The plan's opportunity strategy gives this matter an opportunity. */
  getsOpportunity(matterId: string): boolean;
  /** The matter's client: its first primary participant, else the lowest-numbered participant in the Client role. */
  clientOf(matterId: string): Participant | null;
  /** astep_sourceid of the account the matter lands on: `P-<client organisation>`, or `M-<matter>` (solo client). */
  accountKeyOf(matterId: string): string;
  /** Some migrating matter lands on this account key (a client account, not only an organisation on a matter). */
  isClientAccount(accountKey: string): boolean;
  /** Time billed plus disbursements, computed at extraction (Actionstep stores no total). */
  billingTotal(matterId: string): BillingTotal;
  /** The firm gave a trust ledger export (else the trust columns are not written: unknown is empty, never 0.00). */
  readonly trustLedgerGiven: boolean;
  /** The matter's trust figures from the ledger export, or null when the ledger has no rows for it. */
  trustOf(matterId: string): MatterTrust | null;
  /** The matter's data collection values (every collection, every record), in source order. */
  dataCollectionValuesOf(matterId: string): readonly DataCollectionRecordValue[];

  // ---- people ----
  participantOf(participantId: string | null): Participant | null;
  /** Id of the canonical participant of the person's duplicate group (itself when unique). */
  canonicalPerson(participantId: string): string;
  /** The participant's roles on matters (every matter, migrating or not). */
  matterLinksOf(participantId: string): readonly ActionParticipant[];
  /** The first migrating matter (in source order) where the participant is a primary participant (a client). */
  firstClientMatter(participantId: string): { matterId: string; order: number } | null;
  /** The Actionstep user whose participant this is, if any. */
  userOfParticipant(participantId: string): User | null;
  /**
   * The firm's own staff: a participant who is an Actionstep user and the client of no migrating matter. Staff are
   * users in Dynamics (record owners), not contacts of their clients' accounts; their roles stay on the matter.
   */
  isFirmStaff(participantId: string): boolean;
  /** The systemuser that owns records of an Actionstep user (by participant id): its match, else the fallback owner. */
  ownerOf(participantId: string | null): string;
  /** Actionstep user id of a participant who is a user (kept as "created by"), or null. */
  actionstepUserIdOf(participantId: string | null): string | null;

  // ---- the plan's choices ----
  /** astep_mattertype value of an action type (null when the matter has none). */
  matterTypeChoice(actionTypeId: string | null): number | null;
  /** astep_matterstatus value of a Matter Status label, or null when the choice has no such label. */
  statusChoice(label: string): number | null;
  /** astep_participantrole value of a participant type. */
  roleChoice(participantTypeId: string): number | null;
  /** The participant type's name ("Participant type <id>" when unknown). */
  roleName(participantTypeId: string): string;
  matterTypePlan(actionTypeId: string): MatterTypePlan | null;
  rolePlan(participantTypeId: string): RolePlan | null;
  ownerMatchOf(actionstepUserId: string): OwnerMatch | null;
  /** Where the plan puts each data collection field (table and column). */
  dataCollectionColumns(): readonly DataCollectionColumnPlan[];
  /** Where the plan puts one field, or null when the field holds no data to migrate. */
  dataCollectionColumnOf(fieldId: string): DataCollectionColumnPlan | null;
}
