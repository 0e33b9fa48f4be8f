// Bulk actions bound to an entity set: CreateMultiple, UpdateMultiple, UpsertMultiple (all-or-nothing on standard
// tables, `@odata.type` required on every target) and DeleteMultiple (not implemented on standard tables).
import { DataverseError, CODES, err } from './errors';
import type { EntityMeta } from './metadataTypes';
import type { CallContext, RecordService } from './recordService';
import type { CostModel } from './serviceProtection';
import type { WebOutcome } from './webApiTypes';

export function runBulkAction(svc: RecordService, c: CostModel, webApiUrl: string, e: EntityMeta, action: string, body: Record<string, unknown>, ctx: CallContext): WebOutcome {
  if (action === 'DeleteMultiple') {
    // Standard tables only in this emulator: the platform answers this for non-elastic tables.
    throw new DataverseError(400, CODES.notSupported, 'DeleteMultiple has not yet been implemented.');
  }
  if (!['CreateMultiple', 'UpdateMultiple', 'UpsertMultiple'].includes(action)) throw err.segment(`Microsoft.Dynamics.CRM.${action}`);
  if (!svc.bulkSupported(e))
    throw new DataverseError(400, CODES.notSupported, `The '${action}' method does not support entities of type '${e.logicalName}'. MessageProcessorCache returned MessageProcessor.Empty.`);
  const targets = body.Targets;
  if (!Array.isArray(targets) || targets.length === 0) throw err.payload(`${action} needs a non-empty Targets array.`);
  const cost = c.bulkBaseMs + targets.length * c.bulkPerRecordMs;
  const expectedType = `Microsoft.Dynamics.CRM.${e.logicalName}`;
  const ids = svc.store.atomic(() =>
    targets.map((t: unknown, i: number) => {
      if (!t || typeof t !== 'object') throw err.payload(`Target ${i} is not an object.`);
      const target = { ...(t as Record<string, unknown>) };
      const type = String(target['@odata.type'] ?? '').replace(/^#/, '');
      if (!type) throw err.payload(`The '@odata.type' annotation is required on every target of ${action} (target ${i} has none).`);
      if (type !== expectedType) throw err.payload(`All targets of ${action} must be of type '${expectedType}'; target ${i} is '${type}'.`);
      const pk = target[e.primaryIdAttribute];
      const odataId = target['@odata.id'];
      if (action === 'CreateMultiple') return svc.create(e, target, ctx).id;
      if (action === 'UpdateMultiple') {
        if (typeof pk !== 'string') throw err.payload(`Target ${i} of UpdateMultiple needs its primary key '${e.primaryIdAttribute}'.`);
        const row = svc.store.get(e, pk.toLowerCase());
        if (!row) throw err.notFound(e.logicalName, pk);
        return svc.update(e, row, target, ctx).id;
      }
      // UpsertMultiple: by primary key in the body, or by an alternate-key @odata.id
      if (typeof odataId === 'string') {
        const ref = svc.parseRecordUrl(odataId);
        if (ref.entity !== e) throw err.payload(`Target ${i}: @odata.id '${odataId}' addresses another table.`);
        const found = svc.find(e, ref.pred);
        delete target['@odata.id'];
        if (!found.row && found.keyValues && Object.keys(found.keyValues).some((k) => k in target)) {
          // Reported platform behaviour: repeating the key column in the body breaks the create path.
          throw err.unexpected();
        }
        return svc.upsertFound(e, found, target, ctx, {}).id;
      }
      if (typeof pk === 'string') return svc.upsert(e, { kind: 'id', id: pk.toLowerCase() }, target, ctx, {}).id;
      return svc.create(e, target, ctx).id;
    }),
  );
  if (action === 'CreateMultiple')
    return { status: 200, body: { '@odata.context': `${webApiUrl}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`, Ids: ids }, costMs: cost, kind: 'bulk', records: ids.length };
  return { status: 204, costMs: cost, kind: 'bulk', records: ids.length };
}
