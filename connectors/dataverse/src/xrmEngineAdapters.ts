/// <reference types="xrm" />
// The engine's reads of its own rows, inside Dynamics: typed (early-bound, generated from the schema) through
// dataverse-ify over Xrm.WebApi: the Migration Run row and its wizard state, the staged rows (paged), the mirrored
// audit. Writes in bulk (staging, loads, the audit mirror) stay on the bulk loader; see connectors/dataverse/README.md.
import type { XrmContextDataverseClient } from 'dataverse-ify/lib/dataverse-ify/DataverseClient/XrmContextDataverseClient';
import type { Row } from '@astep/orchestrator/ports';
import type { StagingRowsReader } from '@astep/orchestrator/store/dataverseStagingStore';
import { stagingFilter } from '@astep/orchestrator/store/dataverseStagingStore';
import { RUN_ROW_COLUMNS, type RunRow } from '@astep/orchestrator/store/stagingMirror';
import type { RunRowAccess } from '@astep/orchestrator/wizard/wizardSession';
import type { AuditRowsReader } from '@astep/orchestrator/safety/rollbackFromDataverse';
import type { astep_Auditentry, astep_Migrationrun, astep_Stagingrow } from '@astep/solution/generated/earlyBound';
import { dateOrNull, odataString, recordPages } from './xrmRecords';

const iso = (d: Date | null | undefined): string | null => dateOrNull(d)?.toISOString() ?? null;

/** Staged rows of a run and resource, ordered by key, a page at a time. */
export function xrmStagingReader(records: XrmContextDataverseClient): StagingRowsReader {
  return {
    async *pages(keyPrefix, pageSize, withJson) {
      const select = ['astep_stagingrowid', 'astep_sourceid', ...(withJson ? ['astep_rawjson'] : [])].join(',');
      const query = `?$select=${select}&$filter=${stagingFilter(keyPrefix)}&$orderby=astep_stagingkey`;
      for await (const page of recordPages<astep_Stagingrow>(records, 'astep_stagingrow', query, pageSize)) {
        yield page.map((r) => ({ rowId: String(r.astep_stagingrowid), sourceId: r.astep_sourceid ?? '', ...(withJson ? { json: r.astep_rawjson ?? '' } : {}) }));
      }
    },
  };
}

/** The Migration Run row by its run id, and its wizard state written back by row id. */
export function xrmRunRows(records: XrmContextDataverseClient): RunRowAccess {
  const ids = new Map<string, string>();
  const find = async (runId: string): Promise<astep_Migrationrun | null> => {
    const page = await records.retrieveMultiple<astep_Migrationrun>(`?$select=${RUN_ROW_COLUMNS.join(',')}&$filter=astep_runid eq ${odataString(runId)}`, { logicalName: 'astep_migrationrun' });
    const row = page.entities[0] ?? null;
    if (row?.astep_migrationrunid) ids.set(runId, row.astep_migrationrunid);
    return row;
  };
  return {
    async read(runId): Promise<RunRow | null> {
      const r = await find(runId);
      if (!r) return null;
      return {
        astep_migrationrunid: r.astep_migrationrunid ?? null,
        astep_runid: r.astep_runid ?? null,
        astep_wizardstate: r.astep_wizardstate ?? null,
        astep_currentstep: r.astep_currentstep ?? null,
        astep_startedon: iso(r.astep_startedon),
        astep_extractionstartedon: iso(r.astep_extractionstartedon),
        astep_approvedon: iso(r.astep_approvedon),
        astep_approvedby: r.astep_approvedby ?? null,
        astep_planjson: r.astep_planjson ?? null,
        astep_diffjson: r.astep_diffjson ?? null,
        astep_summaryjson: r.astep_summaryjson ?? null,
        astep_rolledbackon: iso(r.astep_rolledbackon),
      };
    },
    async writeWizardState(runId, stateJson) {
      const id = ids.get(runId) ?? (await find(runId))?.astep_migrationrunid;
      if (!id) throw new Error(`no migration run ${runId} in Dataverse`);
      const update: astep_Migrationrun = { logicalName: 'astep_migrationrun', astep_migrationrunid: id, astep_wizardstate: stateJson };
      await records.update(update);
    },
  };
}

/** A run's astep_auditentry rows, as the rollback and the wizard read them back. */
export function xrmAuditRows(records: XrmContextDataverseClient, pageSize = 5000): AuditRowsReader {
  return async function* (runRowId, select) {
    const query = `?$select=${select.join(',')}&$filter=_astep_migrationrunid_value eq ${runRowId}&$orderby=astep_sequence`;
    for await (const page of recordPages<astep_Auditentry>(records, 'astep_auditentry', query, pageSize)) {
      yield page.map((r) => {
        const row: Row = {};
        for (const c of select) row[c] = c === 'astep_occurredon' ? iso(r.astep_occurredon) : (r[c] ?? null);
        return row;
      });
    }
  };
}
