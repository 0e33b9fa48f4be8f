// The solution records the platform columns the mappings fit values to (PLATFORM_COLUMNS); the emulator models the
// same standard tables from the Dataverse table reference. Both read the same documentation: they must agree, or a
// mapping would cut text to a length the platform does not have.
import { PLATFORM_COLUMNS } from '@astep/solution/platformColumns';
import { buildStandardTables } from '../src/standardTables';

const TYPE_OF_ATTRIBUTE: Record<string, string> = { state: 'picklist', status: 'picklist' };

test('every platform column a mapping writes exists in the emulated table with the same type and length', () => {
  const entities = new Map(buildStandardTables().entities.map((e) => [e.logicalName, e] as const));
  const checked: string[] = [];
  for (const [table, columns] of Object.entries(PLATFORM_COLUMNS)) {
    const entity = entities.get(table);
    expect(entity).toBeDefined();
    for (const c of columns) {
      const a = entity!.attributes.find((x) => x.logicalName === c.logicalName);
      expect({ table, column: c.logicalName, found: !!a }).toEqual({ table, column: c.logicalName, found: true });
      expect({ table, column: c.logicalName, type: TYPE_OF_ATTRIBUTE[a!.type] ?? a!.type, maxLength: a!.maxLength })
        .toEqual({ table, column: c.logicalName, type: c.type, maxLength: c.maxLength });
      checked.push(`${table}.${c.logicalName}`);
    }
  }
  expect(checked.length).toBeGreaterThan(50);
});
