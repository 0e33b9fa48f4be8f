// Forms (FormXml), views (savedquery), the command-bar button (RibbonDiffXml), the site map, the app module and the
// security role, written in the shapes of CustomizationsSolution.xsd / FormXml.xsd / RibbonCore.xsd (9.0.0.2090).
import type { ColumnDef, SolutionSchema } from '../model';
import type { AppDef, FormCell, FormDef, RoleDef, ViewDef } from '../ui/types';
import { braced, el, labelList, stableGuid, text, type XmlNode } from './xml';
import type { PackFlavor } from './flavor';

/** Default form control class ids by column type (FormXml control classid). */
const CLASSID: Record<ColumnDef['type'] | 'email' | 'url', string> = {
  string: '{4273EDBD-AC1D-40d3-9FB2-095C621B552D}',
  memo: '{E0DECE4B-6FC8-4a8f-A065-082708572369}',
  integer: '{C6D124CA-7EDA-4a60-AEA9-7FB8D318B68F}',
  decimal: '{C3EFE0C3-0EC6-42be-8349-CBD9079DFD8E}',
  money: '{533B9E00-756B-4312-95A0-DC888637AC78}',
  boolean: '{67FAC785-CD58-4f9f-ABB3-4B7DDC6ED5ED}',
  datetime: '{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}',
  picklist: '{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}',
  multiselectpicklist: '{4AA28AB7-9C13-4F57-A73D-AD894D048B5F}',
  lookup: '{270BD3DB-D9AF-4782-9025-509E298DEC0A}',
  email: '{ADA2203E-B4CD-49be-9DDF-234642B43B52}',
  url: '{71716B6C-711E-476c-8AB8-5D11542BFB47}',
};
const SUBGRID_CLASSID = '{E7A81278-8635-4d9e-8D4D-59480B391C5B}';

/** Platform columns our forms show next to ours (the standard tables' own columns are not in the schema). */
const PLATFORM_COLUMNS: Record<string, { label: string; type: ColumnDef['type'] }> = {
  'account.name': { label: 'Account Name', type: 'string' },
  'contact.firstname': { label: 'First Name', type: 'string' },
  'contact.lastname': { label: 'Last Name', type: 'string' },
  'opportunity.name': { label: 'Topic', type: 'string' },
  'opportunity.estimatedvalue': { label: 'Est. Revenue', type: 'money' },
};

export interface ControlBinding {
  /** Custom control name, e.g. astep_Astep.MappingWizard. */
  name: string;
  /** The manifest's bound property that receives the field, and its of-type. */
  boundProperty: string;
  boundType: string;
  /** Every bound property of the manifest, for cells that bind further fields (extraBindings). */
  boundProperties: Array<{ name: string; type: string }>;
}

/** Column types a PCF bound property of each of-type accepts. */
const BOUND_TYPES: Record<string, ColumnDef['type'][]> = {
  Multiple: ['memo'],
  'SingleLine.Text': ['string'],
  'SingleLine.TextArea': ['string'],
  'Whole.None': ['integer'],
  Decimal: ['decimal'],
  Currency: ['money'],
  TwoOptions: ['boolean'],
  OptionSet: ['picklist'],
  MultiSelectOptionSet: ['multiselectpicklist'],
  DateAndTime: ['datetime'],
  'DateAndTime.DateOnly': ['datetime'],
  'DateAndTime.DateAndTime': ['datetime'],
  Lookup: ['lookup'],
  'Lookup.Simple': ['lookup'],
};

function columnOf(schema: SolutionSchema, table: string, field: string): { label: string; type: ColumnDef['type']; classid: string } {
  const t = schema.tables.find((x) => x.logicalName === table);
  const c = t?.columns.find((x) => x.logicalName === field);
  if (c) {
    const classid = c.type === 'string' && (c.format === 'email' || c.format === 'url') ? CLASSID[c.format] : CLASSID[c.type];
    return { label: c.displayName, type: c.type, classid };
  }
  const p = PLATFORM_COLUMNS[`${table}.${field}`];
  if (p) return { ...p, classid: CLASSID[p.type] };
  throw new Error(`Form or view on ${table}: column "${field}" is neither in the schema nor a known platform column`);
}

const labels = (description: string): XmlNode => el('labels', null, el('label', { description, languagecode: 1033 }));

function cellXml(
  form: FormDef,
  cell: FormCell,
  schema: SolutionSchema,
  controls: Map<string, ControlBinding>,
  descriptions: XmlNode[],
): XmlNode {
  const key = `form:${form.table}:${form.id}:${cell.kind === 'subgrid' ? cell.name : cell.field}`;
  const cellId = braced(stableGuid(`${key}:cell`));
  if (cell.kind === 'subgrid') {
    return el('cell', { id: cellId, showlabel: 'true', colspan: 1, rowspan: cell.rows ?? 8 },
      labels(cell.label),
      el('control', { indicationOfSubgrid: 'true', id: cell.name, classid: SUBGRID_CLASSID },
        el('parameters', null,
          text('ViewId', braced(cell.viewId)),
          text('IsUserView', 'false'),
          cell.relationship ? text('RelationshipName', cell.relationship) : null,
          text('TargetEntityType', cell.targetEntity),
          text('AutoExpand', 'Fixed'),
          text('EnableQuickFind', 'false'),
          text('EnableViewPicker', 'false'),
          text('EnableJumpBar', 'false'),
          text('ChartGridMode', 'Grid'),
          text('VisualizationId', ''),
          text('IsUserChart', 'false'),
          text('EnableChartPicker', 'false'),
          text('RecordsPerPage', cell.rows ?? 8),
        ),
      ),
    );
  }
  const col = columnOf(schema, form.table, cell.field);
  const uniqueid = braced(stableGuid(`${key}:control`));
  const binding = cell.kind === 'pcf' ? controls.get(cell.control) : undefined;
  if (cell.kind === 'pcf' && binding) {
    const accepts = BOUND_TYPES[binding.boundType];
    if (!accepts?.includes(col.type)) {
      throw new Error(`Form "${form.name}": PCF control ${binding.name} binds a ${binding.boundType} property, but ${cell.field} is a ${col.type} column`);
    }
    // Further bound fields the built control declares (the packer reports the ones it does not).
    const extra = Object.entries(cell.extraBindings ?? {}).filter(([property]) => binding.boundProperties.some((x) => x.name === property)).map(([property, field]) => {
      const p = binding.boundProperties.find((x) => x.name === property)!;
      const extraCol = columnOf(schema, form.table, field);
      if (!BOUND_TYPES[p.type]?.includes(extraCol.type)) throw new Error(`Form "${form.name}": PCF control ${binding.name} binds ${property} as ${p.type}, but ${field} is a ${extraCol.type} column`);
      return text(property, field, { type: p.type });
    });
    // The platform's own control stays as the fallback (customControl by id), the PCF control serves web (0),
    // tablet (1) and phone (2), as the form designer writes it.
    descriptions.push(
      el('controlDescription', { forControl: uniqueid },
        el('customControl', { id: col.classid }, el('parameters', null, text('datafieldname', cell.field))),
        [0, 1, 2].map((formFactor) =>
          el('customControl', { formFactor, name: binding.name },
            el('parameters', null, text(binding.boundProperty, cell.field, { type: binding.boundType }), extra),
          ),
        ),
      ),
    );
  }
  return el('cell', { id: cellId, showlabel: 'true' },
    labels(cell.label ?? col.label),
    el('control', { id: cell.field, classid: col.classid, datafieldname: cell.field, uniqueid }),
  );
}

export function formXml(form: FormDef, schema: SolutionSchema, controls: Map<string, ControlBinding>, flavor: PackFlavor, webResources: Set<string> = new Set()): XmlNode {
  // Form scripts whose web resource is in the solution: the library, and its on-load handler with the execution context.
  const scripts = (form.scripts ?? []).filter((s) => webResources.has(s.library));
  const events = scripts.length
    ? el('events', null, el('event', { name: 'onload', application: 'false', active: 'false' },
      el('Handlers', null, scripts.map((s) => el('Handler', {
        functionName: s.onLoad, libraryName: s.library, handlerUniqueId: braced(stableGuid(`form:${form.id}:handler:${s.library}:${s.onLoad}`)), enabled: 'true', passExecutionContext: 'true',
      })))))
    : null;
  const libraries = scripts.length
    ? el('formLibraries', null, [...new Set(scripts.map((s) => s.library))].map((name) => el('Library', { name, libraryUniqueId: braced(stableGuid(`form:${form.id}:library:${name}`)) })))
    : null;
  const descriptions: XmlNode[] = [];
  // A schema subset (a plan without, say, the participant table) drops the subgrids over the tables it leaves out.
  const present = (c: FormCell) => c.kind !== 'subgrid' || schema.tables.some((t) => t.logicalName === c.targetEntity);
  const tabs = form.tabs.map((tab) => ({ ...tab, sections: tab.sections.map((s) => ({ ...s, cells: s.cells.filter(present) })).filter((s) => s.cells.length) }))
    .filter((tab) => tab.sections.length)
    .map((tab) =>
    el('tab', { name: tab.name, id: braced(stableGuid(`form:${form.id}:tab:${tab.name}`)), IsUserDefined: '0', locklevel: 0, showlabel: 'true', expanded: 'true' },
      labels(tab.label),
      el('columns', null,
        el('column', { width: '100%' },
          el('sections', null,
            tab.sections.map((section) =>
              el('section', { name: section.name, showlabel: 'true', showbar: 'false', id: braced(stableGuid(`form:${form.id}:section:${section.name}`)), IsUserDefined: '0', columns: 1 },
                labels(section.label),
                el('rows', null, section.cells.map((c) => el('row', null, cellXml(form, c, schema, controls, descriptions)))),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return el('systemform', null,
    text('formid', braced(form.id)),
    text('IntroducedVersion', '1.0.0.0'),
    text('FormPresentation', 1),
    text('FormActivationState', 1),
    el('form', null, el('tabs', null, tabs), events, libraries, descriptions.length ? el('controlDescriptions', null, descriptions) : null),
    // Managed: the firm may edit our forms, but not delete them (the app and the ribbon point at them).
    text('IsCustomizable', true),
    text('CanBeDeleted', !flavor.managed),
    labelList('LocalizedNames', 'LocalizedName', form.name),
    labelList('Descriptions', 'Description', form.description),
  );
}

function condition(c: ViewDef['conditions'][number]): XmlNode {
  return el('condition', { attribute: c.attribute, operator: c.operator, value: c.value === undefined ? undefined : String(c.value) });
}

export function viewXml(view: ViewDef, schema: SolutionSchema, flavor: PackFlavor): XmlNode {
  const table = schema.tables.find((t) => t.logicalName === view.table);
  if (!table) throw new Error(`View "${view.name}": table ${view.table} is not in the schema`);
  for (const c of view.columns) columnOf(schema, view.table, c.field);
  return el('savedquery', null,
    text('IsCustomizable', true),
    text('CanBeDeleted', !flavor.managed),
    text('isquickfindquery', view.queryType === 4),
    text('isprivate', false),
    text('isdefault', view.isDefault),
    text('savedqueryid', braced(view.id)),
    el('layoutxml', null,
      el('grid', { name: 'resultset', jump: table.primaryNameAttribute, select: 1, icon: 1, preview: 1 },
        el('row', { name: 'result', id: table.primaryIdAttribute }, view.columns.map((c) => el('cell', { name: c.field, width: c.width }))),
      ),
    ),
    text('querytype', view.queryType),
    el('fetchxml', null,
      el('fetch', { version: '1.0', mapping: 'logical' },
        el('entity', { name: view.table },
          el('attribute', { name: table.primaryIdAttribute }),
          view.columns.map((c) => el('attribute', { name: c.field })),
          view.order ? el('order', { attribute: view.order.attribute, descending: String(view.order.descending) }) : null,
          view.conditions.length ? el('filter', { type: 'and' }, view.conditions.map(condition)) : null,
          view.quickFindFields?.length
            ? el('filter', { type: 'or', isquickfindfields: 1 }, view.quickFindFields.map((f) => el('condition', { attribute: f, operator: 'like', value: '{0}' })))
            : null,
        ),
      ),
    ),
    text('IntroducedVersion', '1.0.0.0'),
    labelList('LocalizedNames', 'LocalizedName', view.name),
    labelList('Descriptions', 'Description', view.description),
  );
}

/** The web resource both Migration Run commands live in (built by plugins-ts). */
export const MIGRATION_RUN_COMMANDS_LIBRARY = 'astep_/js/MigrationRunCommands.js';
export const ROLLBACK_FUNCTION = 'Astep.MigrationRun.rollback';
export const START_RUN_FUNCTION = 'Astep.MigrationRun.startRun';
/** The scripts' own rule (our role by id, or Delete on Migration Run at organisation depth, also through a team). */
export const CAN_MANAGE_RUNS_FUNCTION = 'Astep.MigrationRun.canManageRuns';

/** One command-bar button on the Migration Run form and home grid. */
export interface MigrationRunCommand {
  /** Id segment: astep.astep_migrationrun.<key>.… */
  key: string;
  functionName: string;
  label: string;
  toolTip: string;
  /** Position among the tab's buttons (both places). */
  sequence: number;
  /** Modern (Fluent) symbol name; the platform shows no icon for a name it does not know. */
  modernImage: string;
}

/** "Start run" first, "Roll back run" next to it. */
export const MIGRATION_RUN_COMMANDS: MigrationRunCommand[] = [
  {
    key: 'StartRun', functionName: START_RUN_FUNCTION, label: 'Start run', sequence: 890, modernImage: 'Play',
    toolTip: 'Ask the Mapping Wizard on this form to run the full migration (the sample must be approved).',
  },
  {
    key: 'Rollback', functionName: ROLLBACK_FUNCTION, label: 'Roll back run', sequence: 900, modernImage: 'Undo',
    toolTip: 'Delete what this run created and restore what it updated.',
  },
];

/**
 * The Migration Run commands on the form and the home grid, all in one library. Display rule (shared): Delete on
 * astep_migrationrun at organisation depth, which only the Actionstep Migration Administrator role (and System
 * Administrators) holds. Enable rules: the scripts' own rule, called as a CustomRule (`canManageRuns`, the function
 * startRun and rollback check first, so a button is never enabled for someone the script then refuses; Unified
 * Interface waits for a custom rule that returns a Promise: learn.microsoft.com power-apps/developer/model-driven-apps/
 * define-ribbon-enable-rules), plus an existing record on the form or exactly one selected row in the grid. Form
 * buttons get PrimaryControl; grid buttons get SelectedControlSelectedItemIds and PrimaryControl (the grid, to
 * refresh it).
 */
export function migrationRunRibbonXml(commands: MigrationRunCommand[] = MIGRATION_RUN_COMMANDS): XmlNode {
  const e = 'astep_migrationrun';
  const rule = (s: string) => `astep.${e}.${s}`;
  const action = (c: MigrationRunCommand, where: 'Form' | 'Grid', location: string) => {
    const id = (s: string) => `astep.${e}.${c.key}.${s}`;
    return el('CustomAction', { Id: id(`${where}.CustomAction`), Location: location, Sequence: c.sequence },
      el('CommandUIDefinition', null,
        el('Button', {
          Id: id(`${where}.Button`),
          Command: id(`${where}.Command`),
          LabelText: `$LocLabels:${id('Label')}`,
          Alt: `$LocLabels:${id('Label')}`,
          ToolTipTitle: `$LocLabels:${id('Label')}`,
          ToolTipDescription: `$LocLabels:${id('ToolTip')}`,
          Sequence: c.sequence,
          TemplateAlias: 'o1',
          ModernImage: c.modernImage,
        }),
      ),
    );
  };
  const command = (c: MigrationRunCommand, where: 'Form' | 'Grid', enableRule: string, params: XmlNode[]) =>
    el('CommandDefinition', { Id: `astep.${e}.${c.key}.${where}.Command` },
      el('EnableRules', null, el('EnableRule', { Id: rule('ManagesRuns') }), el('EnableRule', { Id: enableRule })),
      el('DisplayRules', null, el('DisplayRule', { Id: rule('AdministratorOnly') })),
      el('Actions', null, el('JavaScriptFunction', { FunctionName: c.functionName, Library: `$webresource:${MIGRATION_RUN_COMMANDS_LIBRARY}` }, params)),
    );
  return el('RibbonDiffXml', null,
    el('CustomActions', null,
      commands.flatMap((c) => [
        action(c, 'Form', `Mscrm.Form.${e}.MainTab.Save.Controls._children`),
        action(c, 'Grid', `Mscrm.HomepageGrid.${e}.MainTab.Actions.Controls._children`),
      ]),
    ),
    el('Templates', null, el('RibbonTemplates', { Id: 'Mscrm.Templates' })),
    el('CommandDefinitions', null,
      commands.flatMap((c) => [
        command(c, 'Form', rule('ExistingRecord'), [el('CrmParameter', { Value: 'PrimaryControl' })]),
        command(c, 'Grid', rule('OneSelected'), [el('CrmParameter', { Value: 'SelectedControlSelectedItemIds' }), el('CrmParameter', { Value: 'PrimaryControl' })]),
      ]),
    ),
    el('RuleDefinitions', null,
      el('TabDisplayRules'),
      el('DisplayRules', null,
        el('DisplayRule', { Id: rule('AdministratorOnly') },
          el('EntityPrivilegeRule', { PrivilegeType: 'Delete', PrivilegeDepth: 'Global', EntityName: e, Default: 'false' }),
        ),
      ),
      el('EnableRules', null,
        el('EnableRule', { Id: rule('ManagesRuns') },
          el('CustomRule', { FunctionName: CAN_MANAGE_RUNS_FUNCTION, Library: `$webresource:${MIGRATION_RUN_COMMANDS_LIBRARY}`, Default: 'false' }),
        ),
        el('EnableRule', { Id: rule('ExistingRecord') }, el('FormStateRule', { State: 'Existing' })),
        el('EnableRule', { Id: rule('OneSelected') }, el('SelectionCountRule', { AppliesTo: 'SelectedEntity', Minimum: 1, Maximum: 1 })),
      ),
    ),
    el('LocLabels', null,
      commands.flatMap((c) => [
        el('LocLabel', { Id: `astep.${e}.${c.key}.Label` }, el('Titles', null, el('Title', { description: c.label, languagecode: 1033 }))),
        el('LocLabel', { Id: `astep.${e}.${c.key}.ToolTip` }, el('Titles', null, el('Title', { description: c.toolTip, languagecode: 1033 }))),
      ]),
    ),
  );
}

export function siteMapXml(app: AppDef): XmlNode {
  return el('AppModuleSiteMap', null,
    text('SiteMapUniqueName', app.uniqueName),
    el('SiteMap', { IntroducedVersion: '7.0.0.0' },
      el('Area', { Id: app.areaId, ShowGroups: 'true', IntroducedVersion: '7.0.0.0' },
        el('Titles', null, el('Title', { LCID: 1033, Title: app.areaTitle })),
        app.groups.map((g) =>
          el('Group', { Id: g.id, IsProfile: 'false' },
            el('Titles', null, el('Title', { LCID: 1033, Title: g.title })),
            g.subAreas.map((s) => el('SubArea', { Id: s.id, Entity: s.entity, AvailableOffline: 'true', PassParams: 'false' })),
          ),
        ),
      ),
    ),
    labelList('LocalizedNames', 'LocalizedName', app.displayName),
  );
}

/** Default app icon: the platform's model-driven app icon web resource (present in every environment). */
export const DEFAULT_APP_ICON = '953b9fac-1e5e-e611-80d6-00155ded156f';

export function appModuleXml(app: AppDef, components: { entities: string[]; formIds: string[]; viewIds: string[] }, roleId: string): XmlNode {
  return el('AppModule', null,
    text('UniqueName', app.uniqueName),
    text('IntroducedVersion', '1.0.0.0'),
    text('WebResourceId', DEFAULT_APP_ICON),
    text('FormFactor', 1),
    text('ClientType', 4),
    el('AppModuleComponents', null,
      components.entities.map((e) => el('AppModuleComponent', { type: 1, schemaName: e })),
      components.formIds.map((id) => el('AppModuleComponent', { type: 60, id: braced(id) })),
      components.viewIds.map((id) => el('AppModuleComponent', { type: 26, id: braced(id) })),
      el('AppModuleComponent', { type: 62, schemaName: app.uniqueName }),
    ),
    el('AppModuleRoleMaps', null, el('Role', { id: braced(roleId) })),
    labelList('LocalizedNames', 'LocalizedName', app.displayName),
    labelList('Descriptions', 'Description', app.description),
  );
}

export function roleXml(role: RoleDef, flavor: PackFlavor): XmlNode {
  return el('Role', { id: braced(role.id), name: role.name },
    // Managed: the role cannot be edited in place, so the rollback gate cannot be widened by accident.
    text('IsCustomizable', !flavor.managed),
    text('IntroducedVersion', '1.0.0.0'),
    el('RolePrivileges', null, role.privileges.map((p) => el('RolePrivilege', { name: p.name, level: p.level }))),
  );
}
