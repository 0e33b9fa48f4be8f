// The security role "Actionstep Migration Administrator": what a migration run needs, and no more.
//
// - Our tables: create/read/write/delete/append/append-to at organisation depth. Delete on the run, staging and audit
//   tables is what rollback needs, and this is the only role we ship with it (the rollback button's display rule
//   tests Delete on astep_migrationrun; System Administrators also pass it, as they pass every privilege check).
// - account, contact, opportunity, task (Activity privileges) and notes (Note privileges): create and write to load,
//   read to diff and verify, delete so rollback can remove what a run created, append/append-to to set lookups, and
//   assign because owners come from Actionstep users (setting ownerid to another user needs Assign).
// - prvOverrideCreatedOnCreatedBy: file notes and activities keep their original dates (overriddencreatedon).
// - Read on users (owner matching by email), currencies (money columns need transactioncurrencyid), environment
//   variables (the wizard's settings) and connectors (the wizard reads the API name the platform assigned to ours).
//   Nothing else: no Share, no customisation privileges. Provisioning tables or importing the solution is done by a
//   System Customizer, not by this role.
import type { RoleDef, RolePrivilegeDef } from './types';
import type { SolutionSchema } from '../model';
import { ROLE_ID, ROLE_NAME } from './roleIds';

export { ROLE_ID, ROLE_NAME };

const ALL = ['Create', 'Read', 'Write', 'Delete', 'Append', 'AppendTo'] as const;
const g = (name: string): RolePrivilegeDef => ({ name, level: 'Global' });

/** The role's privileges for a schema: custom tables by their schema name (prvCreateastep_Matter, ...). */
export function adminRole(schema: SolutionSchema): RoleDef {
  const privileges: RolePrivilegeDef[] = [];
  for (const t of schema.tables.filter((x) => x.isCustom)) {
    for (const p of ALL) privileges.push(g(`prv${p}${t.schemaName}`));
  }
  for (const entity of ['Account', 'Contact', 'Opportunity', 'Activity']) {
    for (const p of [...ALL, 'Assign']) privileges.push(g(`prv${p}${entity}`));
  }
  for (const p of ALL) privileges.push(g(`prv${p}Note`));
  privileges.push(
    g('prvOverrideCreatedOnCreatedBy'),
    g('prvReadUser'),
    g('prvReadTransactionCurrency'),
    g('prvReadEnvironmentVariableDefinition'),
    g('prvReadEnvironmentVariableValue'),
    g('prvReadConnector'),
  );
  return { id: ROLE_ID, name: ROLE_NAME, privileges };
}
