// Security roles: a user (an application user too) holds only the privileges of the roles assigned to it
// (security-concepts.md: "a user is assigned security roles ... privileges are cumulative"). Privileges are named as
// the platform names them: prv{Create|Read|Write|Delete}{Entity}, the entity by its schema name for custom tables
// (prvReadastep_Auditentry), Activity for every activity table, Note for annotation, User for systemuser.
// A missing privilege is refused with 403 and code 0x80040220, in the platform's words:
//   "Principal user (Id=..., type=8, roleCount=1, privilegeCount=..., accessMode='4 Non-interactive'), is missing
//    prvReadOfficeDocument privilege (Id=...) on OTC=4490 for entity 'officedocument' (LocalizedName='Office
//    Document'). context.Caller=.... Consider adding missed privilege to one of the principal (user/team) roles."
// (a real response quoted on community.dynamics.com, thread ec47c577-6b11-f111-8406-7c1e520d531e; error code table in
// shared/reference/dataverse.md §8). Simplifications, all in the harsher direction or neutral: depth is not modelled
// (every privilege acts at organisation depth); Append/AppendTo and Assign are not checked; every Metadata API write
// asks prvCreateEntity and ImportSolution asks prvImportCustomization.
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { DataverseError, CODES } from './errors';
import type { EntityMeta } from './metadataTypes';
import type { RecordStore } from './recordStore';
import { stableGuid } from './standardTables';

export type Access = 'Create' | 'Read' | 'Write' | 'Delete';

export interface RoleDefinition {
  name: string;
  /** Privilege names; `*` grants every privilege (System Administrator). */
  privileges: string[];
  /** Reads every custom table's rows, those created later included (System Customizer). */
  readsCustomTables?: boolean;
}

const RECORD = ['Create', 'Read', 'Write', 'Delete'];
const PLATFORM_READ = ['User', 'Organization', 'BusinessUnit', 'Team', 'TransactionCurrency'].map((e) => `prvRead${e}`);

/** Roles every environment has (names as in the Power Platform admin center); the emulator seeds them. */
export const BUILT_IN_ROLES: RoleDefinition[] = [
  { name: 'System Administrator', privileges: ['*'] },
  {
    name: 'System Customizer',
    // "Can view all custom tables in the system, but can only view rows in Account, Contact and Activity tables that
    // they create" (learn.microsoft.com power-apps/maker/model-driven-apps/privileges-required-customization). Depth is
    // not modelled, so its own Account/Contact/Activity rows are not readable here either (the harsher side).
    readsCustomTables: true,
    privileges: [
      'prvCreateEntity', 'prvReadEntity', 'prvWriteEntity', 'prvDeleteEntity', 'prvImportCustomization', 'prvPublishCustomization',
      ...PLATFORM_READ, 'prvReadSolution', 'prvReadSdkMessage', 'prvReadSdkMessageFilter',
      // Solution components kept as rows (solutionComponents.ts): a customizer sets environment variable values and
      // edits connectors and web resources.
      ...['EnvironmentVariableDefinition', 'EnvironmentVariableValue', 'Connector', 'WebResource'].flatMap((e) => RECORD.map((p) => `prv${p}${e}`)),
    ],
  },
  {
    name: 'Salesperson',
    privileges: [...['Account', 'Contact', 'Opportunity', 'Activity', 'Note'].flatMap((e) => RECORD.map((p) => `prv${p}${e}`)), ...PLATFORM_READ],
  },
  { name: 'Basic User', privileges: [...PLATFORM_READ] },
];

const PRIVILEGE_ENTITY: Record<string, string> = {
  annotation: 'Note', systemuser: 'User', businessunit: 'BusinessUnit', transactioncurrency: 'TransactionCurrency',
  sdkmessage: 'SdkMessage', sdkmessagefilter: 'SdkMessageFilter',
};

/** The entity part of a record privilege's name. */
export function privilegeEntity(e: EntityMeta): string {
  if (e.isActivity) return 'Activity';
  return PRIVILEGE_ENTITY[e.logicalName] ?? e.schemaName;
}

interface SecurityState {
  roles: RoleDefinition[];
  userRoles: Record<string, string[]>;
}

export class SecurityModel {
  private readonly roles = new Map<string, RoleDefinition>();
  private userRoles = new Map<string, string[]>();

  /** `accessModeOf` reads a user's access mode (4: an application user) for the error text. */
  constructor(private readonly store: RecordStore, private readonly accessModeOf: (userId: string) => number | undefined = () => undefined) {
    for (const r of BUILT_IN_ROLES) this.roles.set(r.name.toLowerCase(), r);
    const saved = store.getMeta('security');
    if (saved) {
      const s = JSON.parse(saved) as SecurityState;
      for (const r of s.roles) this.roles.set(r.name.toLowerCase(), r);
      this.userRoles = new Map(Object.entries(s.userRoles));
    }
  }

  /** A role an admin created or imported (with its solution). */
  defineRole(role: RoleDefinition): void {
    this.roles.set(role.name.toLowerCase(), role);
    this.persist();
  }

  /** Sets a user's roles, as the admin center's "Manage security roles" does. */
  assign(userId: string, roleNames: string[]): void {
    for (const n of roleNames) if (!this.roles.has(n.toLowerCase())) throw new Error(`no security role named "${n}" in this environment (known: ${[...this.roles.values()].map((r) => r.name).join(', ')})`);
    this.userRoles.set(userId.toLowerCase(), [...roleNames]);
    this.persist();
  }

  rolesOf(userId: string): string[] {
    return this.userRoles.get(userId.toLowerCase()) ?? [];
  }

  has(userId: string, privilege: string): boolean {
    const want = privilege.toLowerCase();
    return this.rolesOf(userId).some((n) => {
      const r = this.roles.get(n.toLowerCase());
      return !!r && r.privileges.some((p) => p === '*' || p.toLowerCase() === want);
    });
  }

  /** Throws the platform's missing-privilege error when `userId` lacks `privilege`. */
  demandPrivilege(userId: string, privilege: string, e?: EntityMeta, caller = userId): void {
    if (this.has(userId, privilege)) return;
    const accessMode = this.accessModeOf(userId);
    const roles = this.rolesOf(userId).map((n) => this.roles.get(n.toLowerCase())).filter((r): r is RoleDefinition => !!r);
    const privilegeCount = new Set(roles.flatMap((r) => r.privileges)).size;
    const mode = accessMode === 4 ? '4 Non-interactive' : '0 Read-Write';
    const on = e ? ` on OTC=${e.objectTypeCode} for entity '${e.logicalName}' (LocalizedName='${e.displayName}')` : '';
    throw new DataverseError(403, CODES.privilege,
      `Principal user (Id=${userId}, type=8, roleCount=${roles.length}, privilegeCount=${privilegeCount}, accessMode='${mode}'), is missing ${privilege} privilege (Id=${stableGuid(`privilege:${privilege}`)})${on}. context.Caller=${caller}. Consider adding missed privilege to one of the principal (user/team) roles.`);
  }

  /** A record operation on `e` by the (possibly impersonated) user. */
  demand(userId: string, e: EntityMeta, access: Access): void {
    if (access === 'Read' && e.isCustom && this.rolesOf(userId).some((n) => this.roles.get(n.toLowerCase())?.readsCustomTables)) return;
    this.demandPrivilege(userId, `prv${access}${privilegeEntity(e)}`, e, userId);
  }

  private persist(): void {
    const custom = [...this.roles.values()].filter((r) => !BUILT_IN_ROLES.includes(r));
    this.store.setMeta('security', JSON.stringify({ roles: custom, userRoles: Object.fromEntries(this.userRoles) } satisfies SecurityState));
  }
}

/** The <Roles> of a solution zip's customizations.xml (CustomizationsSolution.xsd: Role name, RolePrivilege name). */
export async function rolesInSolution(zipBytes: Buffer): Promise<RoleDefinition[]> {
  const zip = await JSZip.loadAsync(zipBytes);
  const xml = await zip.file('customizations.xml')?.async('string');
  if (!xml) return [];
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'Role' || name === 'RolePrivilege' }).parse(xml) as {
    ImportExportXml?: { Roles?: { Role?: Array<{ name?: string; RolePrivileges?: { RolePrivilege?: Array<{ name?: string }> } }> } };
  };
  return (parsed.ImportExportXml?.Roles?.Role ?? [])
    .filter((r) => r.name)
    .map((r) => ({ name: String(r.name), privileges: (r.RolePrivileges?.RolePrivilege ?? []).map((p) => String(p.name)).filter(Boolean) }));
}
