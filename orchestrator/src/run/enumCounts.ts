// Discovery's count of every value of every enumerated field the mappings read. Resources discovery has already
// read are counted from what it has; the others are listed with only the fields counted (`fields=`, light pages).
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { SourcePort } from '../ports';
import { ENUM_FIELDS, enumKey, enumValueText, type EnumCounts } from '../plan/enumInventory';

export async function countEnumValues(source: SourcePort, known: Partial<Record<ResourceName, unknown[]>>): Promise<EnumCounts> {
  const counts: EnumCounts = {};
  const resources = [...new Set(ENUM_FIELDS.map((f) => f.resource))];
  for (const resource of resources) {
    const fields = ENUM_FIELDS.filter((f) => f.resource === resource);
    const add = (record: unknown) => {
      for (const f of fields) {
        const bucket = (counts[enumKey(f)] ??= {});
        const value = enumValueText((record as Record<string, unknown>)[f.field]);
        bucket[value] = (bucket[value] ?? 0) + 1;
      }
    };
    const have = known[resource];
    if (have) {
      have.forEach(add);
      continue;
    }
    for await (const page of source.pages(resource, { fields: fields.map((f) => f.field) })) page.forEach(add);
  }
  return counts;
}
