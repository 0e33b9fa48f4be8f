// Platform tables the in-CRM code reads, described in the same model as our own schema so the early-bound types for
// them are generated too (solution/src/earlyBound). Only the columns we read are listed; names, types and lengths
// from the table reference pages (learn.microsoft.com power-apps/developer/data-platform/reference/entities/<table>).
import type { ColumnDef } from './model';

export interface PlatformColumnDef extends ColumnDef {
  /** lookup: the tables it can point at (ours name their targets through their relationship). */
  targets?: string[];
  /** lookup: the single-valued navigation property (`@odata.bind` name). */
  navigationProperty?: string;
}

export interface PlatformTableDef {
  logicalName: string;
  schemaName: string;
  displayName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  columns: PlatformColumnDef[];
}

const text = (logicalName: string, displayName: string, maxLength: number): PlatformColumnDef =>
  ({ logicalName, schemaName: logicalName, displayName, type: 'string', maxLength });
const memo = (logicalName: string, displayName: string, maxLength: number): PlatformColumnDef =>
  ({ logicalName, schemaName: logicalName, displayName, type: 'memo', maxLength });

export const PLATFORM_TABLES: PlatformTableDef[] = [
  {
    // domainname is the user's sign-in name (UPN) in Entra-backed environments: the wizard's login hint.
    logicalName: 'systemuser', schemaName: 'SystemUser', displayName: 'User', entitySetName: 'systemusers',
    primaryIdAttribute: 'systemuserid', primaryNameAttribute: 'fullname',
    columns: [
      text('fullname', 'Full Name', 200),
      text('domainname', 'User Name', 1024),
      text('internalemailaddress', 'Primary Email', 100),
      { logicalName: 'isdisabled', schemaName: 'IsDisabled', displayName: 'Status', type: 'boolean' },
    ],
  },
  {
    logicalName: 'environmentvariabledefinition', schemaName: 'EnvironmentVariableDefinition', displayName: 'Environment Variable Definition',
    entitySetName: 'environmentvariabledefinitions', primaryIdAttribute: 'environmentvariabledefinitionid', primaryNameAttribute: 'schemaname',
    columns: [
      text('schemaname', 'Schema Name', 100),
      text('displayname', 'Display Name', 100),
      memo('description', 'Description', 2000),
      memo('defaultvalue', 'Default Value', 2000),
      { logicalName: 'type', schemaName: 'Type', displayName: 'Type', type: 'picklist', optionSet: 'environmentvariabledefinition_type' },
      { logicalName: 'isrequired', schemaName: 'IsRequired', displayName: 'Is Required', type: 'boolean' },
    ],
  },
  {
    logicalName: 'environmentvariablevalue', schemaName: 'EnvironmentVariableValue', displayName: 'Environment Variable Value',
    entitySetName: 'environmentvariablevalues', primaryIdAttribute: 'environmentvariablevalueid', primaryNameAttribute: 'schemaname',
    columns: [
      text('schemaname', 'Schema Name', 100),
      memo('value', 'Value', 2000),
      {
        logicalName: 'environmentvariabledefinitionid', schemaName: 'EnvironmentVariableDefinitionId', displayName: 'Environment Variable Definition',
        type: 'lookup', targets: ['environmentvariabledefinition'], navigationProperty: 'EnvironmentVariableDefinitionId',
      },
    ],
  },
  {
    // connectorinternalid: the API name the platform assigned to the custom connector in this environment.
    logicalName: 'connector', schemaName: 'Connector', displayName: 'Connector', entitySetName: 'connectors',
    primaryIdAttribute: 'connectorid', primaryNameAttribute: 'name',
    columns: [
      text('name', 'Name', 128),
      text('displayname', 'Display Name', 100),
      text('connectorinternalid', 'Connector Internal Id', 256),
    ],
  },
];
