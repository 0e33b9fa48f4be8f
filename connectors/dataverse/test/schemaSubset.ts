// A smaller schema for integration tests: the named tables, the relationships among them and the choices they use.
import type { SolutionSchema } from '@astep/solution';

export function schemaSubset(schema: SolutionSchema, tables: string[]): SolutionSchema {
  const keep = new Set(tables);
  const relationships = schema.relationships.filter((r) => keep.has(r.referencingEntity) && keep.has(r.referencedEntity));
  const relNames = new Set(relationships.map((r) => r.schemaName));
  const t = schema.tables
    .filter((x) => keep.has(x.logicalName))
    .map((x) => ({ ...x, columns: x.columns.filter((c) => c.type !== 'lookup' || relNames.has(c.relationship ?? '')) }));
  const used = new Set(t.flatMap((x) => x.columns.map((c) => c.optionSet).filter((n): n is string => !!n)));
  return { ...schema, tables: t, relationships, choices: schema.choices.filter((c) => used.has(c.name)) };
}
