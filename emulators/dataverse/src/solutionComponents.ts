// What ImportSolution creates besides tables: the rows a real environment keeps for a solution's environment
// variables, web resources and custom connectors. Each is upserted by its unique name, so importing the same
// solution again updates rather than duplicates; values an admin set after the first import are kept (the import
// writes a value only when the zip ships one, as the platform does).
import type { ReadSolution } from '@astep/solution/readSolutionZip';
import { putRow } from './environmentSeed';
import type { RecordService } from './recordService';
import { stableGuid } from './standardTables';

export function applySolutionComponents(svc: RecordService, sol: Pick<ReadSolution, 'environmentVariables' | 'webResources' | 'connectors'>, environmentId: string): void {
  for (const v of sol.environmentVariables) {
    const definitionId = stableGuid(`envvar:definition:${v.schemaName.toLowerCase()}`);
    putRow(svc, 'environmentvariabledefinition', definitionId, {
      schemaname: v.schemaName,
      displayname: v.displayName,
      description: v.description,
      defaultvalue: v.defaultValue,
      type: v.type,
      isrequired: v.isRequired,
    });
    if (v.value !== null) {
      putRow(svc, 'environmentvariablevalue', stableGuid(`envvar:value:${v.schemaName.toLowerCase()}`), {
        schemaname: v.schemaName,
        value: v.value,
        environmentvariabledefinitionid: definitionId,
        'environmentvariabledefinitionid@lt': 'environmentvariabledefinition',
      });
    }
  }
  for (const w of sol.webResources) {
    putRow(svc, 'webresource', stableGuid(`webresource:${w.name.toLowerCase()}`), {
      name: w.name,
      displayname: w.displayName,
      webresourcetype: w.type,
      content: Buffer.from(w.content).toString('base64'),
    });
  }
  const connectors = svc.catalog.entityOrThrow('connector');
  for (const c of sol.connectors) {
    const id = stableGuid(`connector:${c.name.toLowerCase()}`);
    const existing = svc.store.get(connectors, id);
    putRow(svc, 'connector', id, {
      name: c.name,
      displayname: c.displayName,
      description: c.description,
      iconbrandcolor: c.iconBrandColor,
      connectortype: 1,
      openapidefinition: c.openApiDefinition,
      connectionparameters: c.connectionParameters,
      policytemplateinstances: c.policyTemplateInstances,
      // Assigned once per environment and kept on re-import; another environment gets another one, so clients
      // must read it, never build it (a connection reference bakes it in: it does not carry across environments).
      connectorinternalid: existing?.data.connectorinternalid ?? connectorInternalId(c.name, environmentId),
    });
  }
}

/**
 * `shared_<name>-5f<16 hex>`: the connector's name with `_` escaped as `-5f` (the platform's escaping: a space is
 * `-20`), then an environment-specific suffix. Observed shape: `shared_weather-20agent-5fabcdef0123456789`.
 */
export function connectorInternalId(name: string, environmentId: string): string {
  const escaped = name.toLowerCase().replace(/[^a-z0-9]/g, (ch) => `-${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const suffix = stableGuid(`connector-internal-id:${environmentId}:${name.toLowerCase()}`).replace(/-/g, '').slice(0, 16);
  return `shared_${escaped}-5f${suffix}`;
}
