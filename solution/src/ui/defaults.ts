// The system views and the main form that Dataverse gives every new table (as a real export of a custom table
// carries them: active, quick find, lookup, associated and advanced find views, and an "Information" main form), for
// the custom tables our UI definitions do not already cover. Without them the app would open our matters, time
// entries and staging rows with no form and no lookup or quick-find view.
import type { SolutionSchema, TableDef } from '../model';
import { stableGuid } from '../pack/xml';
import type { FormDef, ViewDef } from './types';

function searchable(t: TableDef): string[] {
  const cols = [t.primaryNameAttribute];
  if (t.columns.some((c) => c.logicalName === 'astep_sourceid')) cols.push('astep_sourceid');
  return cols;
}

function gridColumns(t: TableDef): ViewDef['columns'] {
  const cols = [{ field: t.primaryNameAttribute, width: 300 }];
  for (const c of t.columns) {
    if (cols.length >= 5) break;
    if (c.isPrimaryName || c.type === 'memo' || c.type === 'multiselectpicklist') continue;
    cols.push({ field: c.logicalName, width: c.type === 'lookup' ? 200 : 150 });
  }
  return cols;
}

export function defaultViews(t: TableDef, existing: ViewDef[]): ViewDef[] {
  const mine = existing.filter((v) => v.table === t.logicalName);
  const hasDefault = (q: number) => mine.some((v) => v.queryType === q && v.isDefault);
  const id = (kind: string) => stableGuid(`view:${t.logicalName}:system:${kind}`);
  const active = [{ attribute: 'statecode', operator: 'eq' as const, value: 0 }];
  const byName = { attribute: t.primaryNameAttribute, descending: false };
  const out: ViewDef[] = [];
  if (!hasDefault(0)) {
    out.push({ id: id('active'), table: t.logicalName, name: `Active ${t.displayCollectionName}`, description: `Active ${t.displayCollectionName}.`, queryType: 0, isDefault: true, columns: gridColumns(t), conditions: active, order: byName });
  }
  if (!hasDefault(4)) {
    out.push({ id: id('quickfind'), table: t.logicalName, name: `Quick Find Active ${t.displayCollectionName}`, description: `Searches ${t.displayCollectionName} by name and Actionstep id.`, queryType: 4, isDefault: true, columns: gridColumns(t), conditions: active, quickFindFields: searchable(t), order: byName });
  }
  if (!hasDefault(64)) {
    out.push({ id: id('lookup'), table: t.logicalName, name: `${t.displayName} Lookup View`, description: `Lookup view of ${t.displayCollectionName}.`, queryType: 64, isDefault: true, columns: gridColumns(t).slice(0, 3), conditions: active, order: byName });
  }
  if (!hasDefault(2)) {
    out.push({ id: id('associated'), table: t.logicalName, name: `${t.displayName} Associated View`, description: `${t.displayCollectionName} under a related record.`, queryType: 2, isDefault: true, columns: gridColumns(t), conditions: active, order: byName });
  }
  if (!hasDefault(1)) {
    out.push({ id: id('advancedfind'), table: t.logicalName, name: `${t.displayName} Advanced Find View`, description: `Advanced find view of ${t.displayCollectionName}.`, queryType: 1, isDefault: true, columns: gridColumns(t).slice(0, 2), conditions: [], order: byName });
  }
  return out;
}

export function defaultForm(t: TableDef): FormDef {
  return {
    id: stableGuid(`form:${t.logicalName}:information`),
    table: t.logicalName,
    name: 'Information',
    description: `All ${t.displayName} columns.`,
    tabs: [
      {
        name: 'tab_general',
        label: 'General',
        sections: [
          {
            name: 'sec_general',
            label: t.displayName,
            cells: t.columns.map((c) => ({ kind: 'field' as const, field: c.logicalName })),
          },
        ],
      },
    ],
  };
}

/** Forms and views for the schema: the explicit ones plus the platform defaults the explicit ones do not cover. */
export function withPlatformDefaults(schema: SolutionSchema, forms: FormDef[], views: ViewDef[]): { forms: FormDef[]; views: ViewDef[] } {
  const outForms = [...forms];
  const outViews = [...views];
  for (const t of schema.tables.filter((x) => x.isCustom)) {
    if (!forms.some((f) => f.table === t.logicalName)) outForms.push(defaultForm(t));
    outViews.push(...defaultViews(t, views));
  }
  return { forms: outForms, views: outViews };
}
