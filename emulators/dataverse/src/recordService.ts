// Dataverse record semantics over the store: create / update / upsert / delete / retrieve / query, @odata.bind,
// alternate keys, conditional headers and the business rules of reference/dataverse.md §1, §5, §6.
// Everything here is synchronous so that change sets and bulk actions can run inside one SQLite transaction.
import { randomUUID } from 'node:crypto';
import { DataverseError, CODES, err } from './errors';
import type { MetadataCatalog } from './metadataCatalog';
import type { AttrMeta, EntityMeta, KeyMeta, OptionSetMeta } from './metadataTypes';
import { isGuid, parseKeyPredicate, splitPath, type KeyPredicate, type Literal, ODataSyntaxError, parseFilter } from './odataFilter';
import { QueryTranslator } from './querySql';
import { RecordStore, type StoredRow, tableName } from './recordStore';
import { stableGuid } from './standardTables';
import { coerceValue, formattedValue } from './values';

export const WEB_API_PATH = '/api/data/v9.2/';
/** Characters that break key-addressed requests (define-alternate-keys-entity.md "Unicode characters in key value"). */
export const FORBIDDEN_KEY_CHARS = ['/', '<', '>', '*', '%', '&', ':', '\\', '?', '+', '#'];
// [I] Codes without a published pairing: closed-record edits and invalid state/status pairs.
export const RECORD_READ_ONLY_CODE = '0x80040227';
export const INVALID_STATE_CODE = '0x80040203';

export interface CallContext {
  /** systemuserid the request runs as (impersonated user when CallerObjectId / MSCRMCallerID is used). */
  userId: string;
  /** systemuserid of the authenticated application user. */
  realUserId: string;
}

export interface ServiceOptions {
  maxUploadFileSize: number;
  keyActivationDelayMs: number;
  /** Virtual clock (ms). */
  now: () => number;
  bulkSupportedTables: string[] | 'all';
  /** Called when key statuses change during record work (so the catalog is persisted). */
  onMetadataChanged?: () => void;
  /** Refuses (throws) a record operation the caller's security roles do not allow. */
  authorize?: (ctx: CallContext, e: EntityMeta, access: 'Create' | 'Read' | 'Write' | 'Delete') => void;
}

export interface WriteResult {
  id: string;
  created: boolean;
  entity: EntityMeta;
}

/** One page's SELECT and the matching count, as query() runs them. */
export interface PageQuery {
  sql: string;
  params: unknown[];
  countSql: string;
  countParams: unknown[];
  ordered: boolean;
  pageSize: number;
  page: number;
}

export interface QueryOptions {
  select?: string;
  filter?: string;
  orderby?: string;
  top?: number;
  count?: boolean;
  expand?: string;
  skiptoken?: string;
  maxPageSize: number;
  annotations: Annotations;
  /** Drops rows of the page after they are read (related(): a polymorphic lookup pointing at another table). */
  keep?: (row: StoredRow) => boolean;
}

/** Which instance annotations to return: all, none, or those a `Prefer: odata.include-annotations` list names. */
export type Annotations = boolean | ((term: string) => boolean);
const wants = (a: Annotations, term: string): boolean => (typeof a === 'function' ? a(term) : a);

export const IDS = {
  organization: stableGuid('seed:organization'),
  businessUnit: stableGuid('seed:businessunit'),
  team: stableGuid('seed:team'),
  currency: stableGuid('seed:currency:USD'),
  admin: stableGuid('seed:systemuser:admin'),
  msgCreateMultiple: stableGuid('seed:sdkmessage:CreateMultiple'),
  msgUpdateMultiple: stableGuid('seed:sdkmessage:UpdateMultiple'),
};

const SYSTEM_TABLES = new Set(['systemuser', 'team', 'businessunit', 'organization', 'transactioncurrency', 'solution', 'sdkmessage', 'sdkmessagefilter', 'opportunityclose']);

export class RecordService {
  readonly translator: QueryTranslator;
  constructor(
    readonly catalog: MetadataCatalog,
    readonly store: RecordStore,
    readonly o: ServiceOptions,
  ) {
    this.translator = new QueryTranslator(catalog);
  }

  optionSet = (name: string): OptionSetMeta | undefined => this.catalog.optionSets.get(name);

  // ------------------------------------------------------------------ keys

  /** Moves alternate keys Pending → InProgress → Active (or Failed) on the virtual clock. */
  refreshKeys(e: EntityMeta): boolean {
    let changed = false;
    const now = this.o.now();
    for (const k of e.keys) {
      if (k.status === 'Active' || k.status === 'Failed') continue;
      const age = now - k.requestedAt;
      if (age >= this.o.keyActivationDelayMs) {
        k.status = this.store.activateKey(e, k) ? 'Active' : 'Failed';
        changed = true;
        this.o.onMetadataChanged?.();
      } else if (age >= this.o.keyActivationDelayMs / 3 && k.status === 'Pending') {
        k.status = 'InProgress';
        changed = true;
      }
    }
    return changed;
  }

  private keyFor(e: EntityMeta, names: string[]): KeyMeta {
    const sorted = [...names].sort().join(',');
    const k = e.keys.find((x) => [...x.keyAttributes].sort().join(',') === sorted);
    if (!k) throw err.invalidKeyUri(e.logicalName);
    if (k.status !== 'Active')
      throw new DataverseError(400, CODES.notSupported, `The entity key ${k.schemaName} on entity ${e.logicalName} is not active (EntityKeyIndexStatus: ${k.status}); it cannot be used to address records yet.`);
    return k;
  }

  /** Key predicate → { names, values } with lookup parts (`_x_value`) mapped to their columns. */
  private keyParts(e: EntityMeta, pred: Extract<KeyPredicate, { kind: 'alternate' }>): { names: string[]; values: unknown[] } {
    const names: string[] = [];
    const values: unknown[] = [];
    for (const p of pred.parts) {
      const m = /^_(.+)_value$/.exec(p.name);
      const name = m ? m[1] : p.name;
      if (name === e.primaryIdAttribute && pred.parts.length === 1 && p.value.type === 'guid') {
        names.push(name);
        values.push(p.value.value);
        continue;
      }
      const a = this.catalog.attribute(e, name);
      if (!a) throw err.invalidKeyUri(e.logicalName);
      if (typeof p.value.value === 'string' && FORBIDDEN_KEY_CHARS.some((c) => (p.value.value as string).includes(c))) {
        // Reported platform behaviour: '#' and '+' break URL parsing (400), the others simply never match.
        if (/[#+]/.test(p.value.value)) throw err.querySyntax();
        throw err.keyNotFound(e.logicalName);
      }
      names.push(a.logicalName);
      values.push(this.keyLiteral(a, p.value));
    }
    return { names, values };
  }

  private keyLiteral(a: AttrMeta, lit: Literal): unknown {
    if (lit.type === 'null') return null;
    if (a.type === 'datetime' && typeof lit.value === 'string') return a.dateBehavior === 'DateOnly' ? lit.value.slice(0, 10) : new Date(lit.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (typeof lit.value === 'string' && (lit.type === 'guid' || a.type === 'lookup')) return lit.value.toLowerCase();
    return lit.value;
  }

  /** Finds the row a key predicate (from a URL or an @odata.id) addresses. */
  find(e: EntityMeta, pred: KeyPredicate): { row?: StoredRow; keyValues?: Record<string, unknown>; byKey: boolean; id?: string } {
    if (pred.kind === 'ref') throw err.querySyntax();
    if (pred.kind === 'id') return { row: this.store.get(e, pred.id), byKey: false, id: pred.id };
    const { names, values } = this.keyParts(e, pred);
    if (names.length === 1 && names[0] === e.primaryIdAttribute) {
      if (e.logicalName === 'systemuser' || e.logicalName === 'team') throw err.invalidKeyUri(e.logicalName);
      const id = String(values[0]);
      return { row: this.store.get(e, id), byKey: false, id };
    }
    this.refreshKeys(e);
    this.keyFor(e, names);
    const rows = this.store.findByColumns(e, names, values);
    const keyValues: Record<string, unknown> = {};
    names.forEach((n, i) => (keyValues[n] = values[i]));
    return { row: rows[0], keyValues, byKey: true };
  }

  /** A bind target: its id (and, for users, whether disabled) without reading the whole row. */
  findRef(e: EntityMeta, pred: KeyPredicate): { id?: string; requestedId?: string; isDisabled?: unknown; byKey: boolean } {
    if (pred.kind === 'ref') throw err.querySyntax();
    let id: string | undefined;
    let byKey = false;
    let requestedId: string | undefined;
    if (pred.kind === 'id') requestedId = pred.id;
    else {
      const { names, values } = this.keyParts(e, pred);
      if (names.length === 1 && names[0] === e.primaryIdAttribute) {
        if (e.logicalName === 'systemuser' || e.logicalName === 'team') throw err.invalidKeyUri(e.logicalName);
        requestedId = String(values[0]);
      } else {
        this.refreshKeys(e);
        this.keyFor(e, names);
        byKey = true;
        id = this.store.findIdsByColumns(e, names, values)[0];
      }
    }
    if (requestedId !== undefined) {
      const p = this.store.peek(e, requestedId, 'isdisabled');
      return p.exists ? { id: requestedId, requestedId, isDisabled: p.value, byKey } : { requestedId, byKey };
    }
    if (!id) return { byKey };
    return { id, isDisabled: e.logicalName === 'systemuser' ? this.store.peek(e, id, 'isdisabled').value : undefined, byKey };
  }

  /** Parses `/accounts(...)`, `accounts(...)` or an absolute URL into a table and key predicate. */
  parseRecordUrl(url: string): { entity: EntityMeta; pred: KeyPredicate } {
    let path = url;
    const abs = /^https?:\/\/[^/]+(\/.*)$/.exec(path);
    if (abs) path = abs[1];
    if (path.startsWith(WEB_API_PATH)) path = path.slice(WEB_API_PATH.length);
    path = path.replace(/^\//, '');
    let segs;
    try {
      segs = splitPath(decodeURIComponent(path));
    } catch {
      throw err.payload(`The URL '${url}' is not a valid record URL.`);
    }
    if (segs.length !== 1 || segs[0].key === undefined) throw err.payload(`The URL '${url}' is not a valid record URL.`);
    const entity = this.catalog.entityBySet(segs[0].name);
    if (!entity) throw err.segment(segs[0].name);
    try {
      return { entity, pred: parseKeyPredicate(segs[0].key) };
    } catch (e) {
      if (e instanceof ODataSyntaxError) throw err.querySyntax(e.message);
      throw e;
    }
  }

  // ------------------------------------------------------------------ writes

  /** Applies a JSON body onto `data` (validated, coerced). Returns the attributes the body set. */
  private applyBody(e: EntityMeta, body: Record<string, unknown>, data: Record<string, unknown>, mode: 'create' | 'update'): Set<string> {
    const touched = new Set<string>();
    const navs = this.catalog.navProps(e);
    for (const [k, v] of Object.entries(body)) {
      if (k.startsWith('@')) continue; // @odata.type, @odata.etag, @odata.id
      const at = k.indexOf('@');
      if (at >= 0) {
        const prop = k.slice(0, at);
        const annotation = k.slice(at + 1);
        if (annotation !== 'odata.bind') continue; // instance annotations are ignored on write
        const nav = navs.get(prop);
        if (!nav) {
          if (!(prop in body)) throw err.undeclaredAnnotationOnly(prop);
          throw err.invalidProperty(prop, e.logicalName);
        }
        if (v === null) {
          data[nav.attr.logicalName] = null;
          data[`${nav.attr.logicalName}@lt`] = null;
          touched.add(nav.attr.logicalName);
          continue;
        }
        if (typeof v !== 'string') throw err.payload(`The value of '${k}' must be a string URL or null.`);
        const ref = this.parseRecordUrl(v);
        if (!nav.targets.includes(ref.entity.logicalName))
          throw err.payload(`The entity set '${ref.entity.entitySetName}' is not a valid target of the navigation property '${prop}' (targets: ${nav.targets.join(', ')}).`);
        const found = this.findRef(ref.entity, ref.pred);
        if (!found.id) {
          if (found.byKey) throw err.keyNotFound(ref.entity.logicalName);
          throw err.notFound(ref.entity.logicalName, found.requestedId ?? '');
        }
        if (nav.attr.type === 'owner' && ref.entity.logicalName === 'systemuser' && (found.isDisabled === true || found.isDisabled === 1)) {
          // Reference §5 leaves assignment to a disabled user open: we choose the harsher plausible behaviour and
          // reject it with the documented disabled-user message.
          throw err.disabledUser(found.id, IDS.organization);
        }
        data[nav.attr.logicalName] = found.id;
        data[`${nav.attr.logicalName}@lt`] = ref.entity.logicalName;
        touched.add(nav.attr.logicalName);
        continue;
      }
      const a = this.catalog.attribute(e, k);
      if (!a) throw err.invalidProperty(k, e.logicalName);
      if (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner')
        throw err.payload(
          `A 'PrimitiveValue' node with non-null value was found when trying to read the value of the navigation property '${k}'; however, a 'StartArray' node, a 'StartObject' node, or a 'PrimitiveValue' node with null value was expected.`,
        );
      if (a.isPrimaryId) {
        if (mode === 'create') {
          if (typeof v !== 'string' || !isGuid(v)) throw err.payload(`Cannot convert the literal '${String(v)}' to the expected type 'Edm.Guid'.`);
          data[a.logicalName] = v.toLowerCase();
        }
        continue;
      }
      if (a.computed || (mode === 'create' && !a.validForCreate) || (mode === 'update' && !a.validForUpdate)) continue; // platform ignores
      data[a.logicalName] = coerceValue(e, a, v, this.optionSet);
      touched.add(a.logicalName);
    }
    return touched;
  }

  private stateRules(e: EntityMeta, data: Record<string, unknown>, before: Record<string, unknown> | undefined, touched: Set<string>, id: string): void {
    const stateA = this.catalog.attribute(e, 'statecode');
    const statusA = this.catalog.attribute(e, 'statuscode');
    if (!stateA || !statusA) return;
    const statuses = this.optionSet(statusA.optionSet!)!;
    const states = this.optionSet(stateA.optionSet!)!;
    const prevState = before ? (before.statecode as number) : undefined;
    const setState = touched.has('statecode');
    const setStatus = touched.has('statuscode');

    if (e.logicalName === 'opportunity') {
      const closing = (setState && data.statecode !== 0) || (setStatus && [3, 4, 5].includes(data.statuscode as number));
      if (closing && (prevState ?? 0) === 0) {
        const target = setState ? (data.statecode as number) : statuses.options.find((o) => o.value === data.statuscode)?.state;
        const word = target === 1 ? 'Won' : 'Lost';
        const msg = target === 1 ? 'Win' : 'Lose';
        throw new DataverseError(400, CODES.opportunitySetState, `This message can not be used to set the state of opportunity to ${word}. In order to set state of opportunity to ${word}, use the ${msg} message instead.`);
      }
    }
    if (before && (e.logicalName === 'opportunity' || e.isActivity) && prevState !== undefined && prevState !== 0) {
      const reopening = setState && data.statecode === 0;
      if (!reopening) {
        const what = e.logicalName === 'opportunity' ? 'opportunity' : 'activity';
        throw new DataverseError(400, RECORD_READ_ONLY_CODE, `This ${what} (${e.logicalName} With Id = ${id}) is closed or canceled and is read-only; re-open it (statecode 0) before changing it.`);
      }
    }
    if (!setState && !setStatus) {
      if (!before) {
        data.statecode = 0;
        data.statuscode = states.options.find((o) => o.value === 0)?.defaultStatus ?? null;
      }
      return;
    }
    if (setState && !setStatus) data.statuscode = states.options.find((o) => o.value === data.statecode)?.defaultStatus ?? null;
    else if (setStatus && !setState) data.statecode = statuses.options.find((o) => o.value === data.statuscode)?.state ?? data.statecode;
    const statusOpt = statuses.options.find((o) => o.value === data.statuscode);
    if (!statusOpt || statusOpt.state !== data.statecode) {
      const stateLabel = states.options.find((o) => o.value === data.statecode)?.label ?? String(data.statecode);
      throw new DataverseError(400, INVALID_STATE_CODE, `${String(data.statuscode)} is not a valid status code for state code ${e.schemaName}State.${stateLabel.replace(/\s/g, '')} on ${e.logicalName} with Id ${id}.`);
    }
  }

  private requiredRules(e: EntityMeta, data: Record<string, unknown>, touched: Set<string>, creating: boolean): void {
    for (const a of e.attributes) {
      if (a.required !== 'ApplicationRequired' && a.required !== 'SystemRequired') continue;
      if (a.type === 'owner' || a.type === 'state' || a.isPrimaryId) continue; // platform fills these
      if (!creating && !touched.has(a.logicalName)) continue;
      const v = data[a.logicalName];
      if (v === null || v === undefined || v === '') {
        // [I] The platform's text for a missing required value is not published; code 0x80044331 (validation).
        throw new DataverseError(400, CODES.validation, `A validation error occurred. The value for the required attribute '${a.logicalName}' of the '${e.logicalName}' entity is missing.`);
      }
    }
  }

  private derived(e: EntityMeta, data: Record<string, unknown>, touched: Set<string>, creating: boolean): void {
    if (e.logicalName === 'contact' || e.logicalName === 'systemuser') {
      if (creating || touched.has('firstname') || touched.has('lastname'))
        data.fullname = [data.firstname, data.lastname].filter((x) => typeof x === 'string' && x).join(' ') || null;
    }
    if (e.isActivity) data.activitytypecode = e.logicalName;
    if (e.logicalName === 'annotation') {
      if (touched.has('documentbody')) {
        const body = data.documentbody as string | null;
        if (body && body.length > this.o.maxUploadFileSize) throw new DataverseError(400, CODES.attachmentTooBig, 'Attachment file size is too big.');
        data.filesize = body ? Math.floor((body.length * 3) / 4) - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0) : 0;
        if (body) data.isdocument = true;
      }
      if (touched.has('objectid')) data.objecttypecode = data['objectid@lt'] ?? null;
    }
    for (const a of e.attributes) {
      if (a.type === 'money' && a.logicalName.endsWith('_base') && !a.isCustom) {
        const src = a.logicalName.slice(0, -5);
        if (creating || touched.has(src)) data[a.logicalName] = data[src] ?? null;
      }
    }
    if (creating && this.catalog.attribute(e, 'transactioncurrencyid') && e.logicalName !== 'transactioncurrency') {
      if (!data.transactioncurrencyid && e.attributes.some((a) => a.type === 'money' && data[a.logicalName] != null)) {
        data.transactioncurrencyid = IDS.currency;
        data['transactioncurrencyid@lt'] = 'transactioncurrency';
      }
      if (data.transactioncurrencyid) data.exchangerate = 1;
    }
  }

  private ownerRules(e: EntityMeta, data: Record<string, unknown>, ctx: CallContext, creating: boolean): void {
    if (e.ownership !== 'UserOwned') return;
    if (creating && !data.ownerid) {
      data.ownerid = ctx.userId;
      data['ownerid@lt'] = 'systemuser';
    }
    const isTeam = data['ownerid@lt'] === 'team';
    data.owninguser = isTeam ? null : data.ownerid;
    data['owninguser@lt'] = isTeam ? null : 'systemuser';
    data.owningteam = isTeam ? data.ownerid : null;
    data['owningteam@lt'] = isTeam ? 'team' : null;
    data.owningbusinessunit = IDS.businessUnit;
    data['owningbusinessunit@lt'] = 'businessunit';
  }

  private stamp(data: Record<string, unknown>, ctx: CallContext, creating: boolean): number {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const version = this.store.nextVersion();
    if (creating) {
      if (typeof data.overriddencreatedon === 'string') {
        // Migration semantics (run-data-import.md): createdon takes the supplied date, overriddencreatedon the real time.
        data.createdon = data.overriddencreatedon;
        data.overriddencreatedon = now;
      } else data.createdon = now;
      data.createdby = ctx.userId;
      data['createdby@lt'] = 'systemuser';
      data.createdonbehalfby = ctx.userId !== ctx.realUserId ? ctx.realUserId : null;
      data['createdonbehalfby@lt'] = ctx.userId !== ctx.realUserId ? 'systemuser' : null;
    }
    data.modifiedon = now;
    data.modifiedby = ctx.userId;
    data['modifiedby@lt'] = 'systemuser';
    data.modifiedonbehalfby = ctx.userId !== ctx.realUserId ? ctx.realUserId : null;
    data['modifiedonbehalfby@lt'] = ctx.userId !== ctx.realUserId ? 'systemuser' : null;
    data.versionnumber = version;
    return version;
  }

  private assertWritable(e: EntityMeta): void {
    if (e.readOnly) throw new DataverseError(403, CODES.privilege, `The ${e.logicalName} table cannot be written through this API.`);
  }

  private persist(e: EntityMeta, row: StoredRow, insert: boolean): void {
    try {
      if (insert) this.store.insert(e, row);
      else this.store.update(e, row);
    } catch (x) {
      const msg = (x as Error).message ?? '';
      if (/UNIQUE constraint failed: .*\.id$/.test(msg) || /PRIMARY KEY/.test(msg)) throw err.duplicatePk();
      if (/UNIQUE constraint failed/.test(msg)) {
        const k = this.store.keyForConstraintError(e, msg);
        throw err.duplicateKey(k?.schemaName ?? 'key', e.logicalName, k?.keyAttributes ?? [], (k?.keyAttributes ?? []).map((c) => row.data[c]));
      }
      throw x;
    }
  }

  create(e: EntityMeta, body: Record<string, unknown>, ctx: CallContext, preset: Record<string, unknown> = {}): WriteResult {
    this.assertWritable(e);
    this.o.authorize?.(ctx, e, 'Create');
    this.refreshKeys(e);
    const data: Record<string, unknown> = { ...preset };
    const touched = this.applyBody(e, body, data, 'create');
    for (const k of Object.keys(preset)) if (!k.includes('@')) touched.add(k);
    const id = (data[e.primaryIdAttribute] as string | undefined) ?? randomUUID();
    data[e.primaryIdAttribute] = id; // a duplicate id fails on the PRIMARY KEY (persist maps it to 0x80040237)
    this.requiredRules(e, data, touched, true);
    this.stateRules(e, data, undefined, touched, id);
    this.ownerRules(e, data, ctx, true);
    this.derived(e, data, touched, true);
    const version = this.stamp(data, ctx, true);
    this.persist(e, { id, data, version }, true);
    return { id, created: true, entity: e };
  }

  update(e: EntityMeta, row: StoredRow, body: Record<string, unknown>, ctx: CallContext, stripKeys: string[] = []): WriteResult {
    this.assertWritable(e);
    this.o.authorize?.(ctx, e, 'Write');
    const b = { ...body };
    for (const k of stripKeys) delete b[k]; // key columns addressed by the URL can't change through it
    const before = row.data;
    const data = { ...before };
    const touched = this.applyBody(e, b, data, 'update');
    this.requiredRules(e, data, touched, false);
    this.stateRules(e, data, before, touched, row.id);
    if (e.logicalName === 'opportunity' && before.statecode !== 0 && data.statecode === 0) {
      data.actualclosedate = null;
      this.cancelCloses(row.id, ctx);
    }
    if (touched.has('ownerid')) this.ownerRules(e, data, ctx, false);
    this.derived(e, data, touched, false);
    const version = this.stamp(data, ctx, false);
    this.persist(e, { id: row.id, data, version }, false);
    return { id: row.id, created: false, entity: e };
  }

  /**
   * PATCH semantics: update when the row exists, create otherwise, honouring If-Match / If-None-Match.
   * `target` is the URL key predicate.
   */
  upsert(e: EntityMeta, pred: KeyPredicate, body: Record<string, unknown>, ctx: CallContext, h: { ifMatch?: string; ifNoneMatch?: string }): WriteResult {
    this.assertWritable(e);
    return this.upsertFound(e, this.find(e, pred), body, ctx, h);
  }

  /** upsert() for a caller that has already looked the row up with find() (UpsertMultiple checks it first). */
  upsertFound(e: EntityMeta, found: ReturnType<RecordService['find']>, body: Record<string, unknown>, ctx: CallContext, h: { ifMatch?: string; ifNoneMatch?: string }): WriteResult {
    this.assertWritable(e);
    const ifMatch = h.ifMatch?.trim();
    const ifNoneMatch = h.ifNoneMatch?.trim();
    if (found.row) {
      if (ifNoneMatch === '*') throw err.recordExists();
      if (ifMatch && ifMatch !== '*' && ifMatch !== `W/"${found.row.version}"`) throw err.versionMismatch();
      return this.update(e, found.row, body, ctx, found.keyValues ? Object.keys(found.keyValues) : []);
    }
    if (ifMatch) {
      if (found.byKey) throw err.keyNotFound(e.logicalName);
      throw err.notFound(e.logicalName, found.id ?? '');
    }
    const preset: Record<string, unknown> = {};
    if (found.keyValues) {
      for (const [k, v] of Object.entries(found.keyValues)) {
        const a = this.catalog.attribute(e, k)!;
        if (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner') {
          preset[k] = v;
          preset[`${k}@lt`] = this.catalog.lookupTargets(a)[0];
        } else if (!(k in body)) preset[k] = v; // body values win over URL key values on create
      }
    } else if (found.id) preset[e.primaryIdAttribute] = found.id;
    return this.create(e, body, ctx, preset);
  }

  delete(e: EntityMeta, pred: KeyPredicate, ctx: CallContext, ifMatch?: string): void {
    this.assertWritable(e);
    this.o.authorize?.(ctx, e, 'Delete');
    const found = this.find(e, pred);
    if (!found.row) {
      if (found.byKey) throw err.keyNotFound(e.logicalName);
      throw err.notFound(e.logicalName, found.id ?? '');
    }
    if (ifMatch && ifMatch !== '*' && ifMatch !== `W/"${found.row.version}"`) throw err.versionMismatch();
    this.store.atomic(() => {
      this.store.delete(e, found.row!.id);
      this.cascadeDelete(e, found.row!.id);
    });
  }

  /**
   * Relationship cascade on delete (CascadeConfiguration.Delete): Cascade deletes the referencing rows (parental
   * relationships: contacts and opportunities of a customer, activities and notes regarding a row, custom Cascade
   * relationships), RemoveLink clears the lookup, Restrict refuses the delete.
   */
  private cascadeDelete(e: EntityMeta, id: string): void {
    for (const { entity: child, attr } of this.catalog.referencingLookups(e.logicalName)) {
      for (const r of this.store.findByLookup(child, attr.logicalName, id)) {
        const target = r.data[`${attr.logicalName}@lt`];
        if (target !== undefined && target !== null && target !== e.logicalName) continue; // polymorphic: other table
        if (attr.cascadeDelete === 'Cascade') {
          this.store.delete(child, r.id);
          this.cascadeDelete(child, r.id);
        } else if (attr.cascadeDelete === 'Restrict') {
          throw new DataverseError(400, CODES.invalidArgument, `The record cannot be deleted because it is referenced by ${child.logicalName} ${r.id} through ${attr.logicalName} (delete behaviour Restrict).`);
        } else {
          r.data[attr.logicalName] = null;
          r.data[`${attr.logicalName}@lt`] = null;
          this.store.update(child, { ...r, version: this.store.nextVersion() });
        }
      }
    }
  }

  // ------------------------------------------------------------------ reads

  private selectList(e: EntityMeta, select: string | undefined): AttrMeta[] {
    if (!select) return e.attributes;
    const out: AttrMeta[] = [];
    for (const raw of select.split(',')) {
      const name = raw.trim();
      if (!name) continue;
      const m = /^_(.+)_value$/.exec(name);
      const a = m ? this.catalog.attribute(e, m[1]) : this.catalog.attribute(e, name);
      const isLookup = a && (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner');
      if (!a || (m && !isLookup) || (!m && isLookup)) throw err.unknownSelect(name, e.logicalName);
      out.push(a);
    }
    if (!out.some((a) => a.isPrimaryId)) out.push(this.catalog.attribute(e, e.primaryIdAttribute)!);
    return out;
  }

  private nameOf(entity: string, id: string): string | undefined {
    const t = this.catalog.entity(entity);
    if (!t) return undefined;
    const r = this.store.get(t, id);
    const v = r?.data[t.primaryNameAttribute];
    return typeof v === 'string' ? v : undefined;
  }

  /** A stored row in Web API JSON shape. */
  format(e: EntityMeta, row: StoredRow, attrs: AttrMeta[], annotations: Annotations): Record<string, unknown> {
    const out: Record<string, unknown> = { '@odata.etag': `W/"${row.version}"` };
    for (const a of attrs) {
      const v = row.data[a.logicalName] ?? null;
      if (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner') {
        const key = `_${a.logicalName}_value`;
        if (annotations && v !== null) {
          const target = (row.data[`${a.logicalName}@lt`] as string) ?? this.catalog.lookupTargets(a)[0];
          if (wants(annotations, 'Microsoft.Dynamics.CRM.associatednavigationproperty')) {
            const nav = [...this.catalog.navProps(e).values()].find((n) => n.attr === a && (n.targets.length > 1 || n.targets[0] === target));
            if (nav) out[`${key}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = nav.name;
          }
          if (wants(annotations, 'Microsoft.Dynamics.CRM.lookuplogicalname')) out[`${key}@Microsoft.Dynamics.CRM.lookuplogicalname`] = target;
          if (wants(annotations, 'OData.Community.Display.V1.FormattedValue')) {
            const name = this.nameOf(target, String(v));
            if (name !== undefined) out[`${key}@OData.Community.Display.V1.FormattedValue`] = name;
          }
        }
        out[key] = v;
        continue;
      }
      if (wants(annotations, 'OData.Community.Display.V1.FormattedValue')) {
        const f = formattedValue(a, v, this.optionSet);
        if (f !== undefined) out[`${a.logicalName}@OData.Community.Display.V1.FormattedValue`] = f;
      }
      out[a.logicalName] = v;
    }
    return out;
  }

  retrieve(e: EntityMeta, pred: KeyPredicate, q: { select?: string; expand?: string; annotations: Annotations }): { row: StoredRow; body: Record<string, unknown> } {
    const found = this.find(e, pred);
    if (!found.row) {
      if (found.byKey) throw err.keyNotFound(e.logicalName);
      throw err.notFound(e.logicalName, found.id ?? '');
    }
    const body = this.format(e, found.row, this.selectList(e, q.select), q.annotations);
    if (q.expand) this.expand(e, [body], [found.row], q.expand, q.annotations);
    return { row: found.row, body };
  }

  private expand(e: EntityMeta, bodies: Array<Record<string, unknown>>, rows: StoredRow[], expand: string, annotations: Annotations): void {
    for (const item of splitTopLevel(expand)) {
      const m = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(item.trim());
      if (!m) throw err.querySyntax(`Bad $expand '${item}'.`);
      const opts = new Map<string, string>();
      for (const part of (m[2] ?? '').split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0) opts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
      }
      const nav = this.catalog.navProps(e).get(m[1]);
      if (!nav) {
        const coll = this.catalog.collectionNavs(e).get(m[1]);
        if (!coll) throw err.unknownSelect(m[1], e.logicalName);
        rows.forEach((row, i) => {
          bodies[i][m[1]] = this.related(e, row.id, coll, { select: opts.get('$select'), filter: opts.get('$filter'), orderby: opts.get('$orderby'), top: opts.has('$top') ? Number(opts.get('$top')) : undefined, annotations });
        });
        continue;
      }
      rows.forEach((row, i) => {
        const id = row.data[nav.attr.logicalName] as string | null;
        const target = (row.data[`${nav.attr.logicalName}@lt`] as string | undefined) ?? nav.targets[0];
        let value: Record<string, unknown> | null = null;
        if (id && nav.targets.includes(target)) {
          const te = this.catalog.entityOrThrow(target);
          const tr = this.store.get(te, id);
          if (tr) value = this.format(te, tr, this.selectList(te, opts.get('$select')), annotations);
        }
        bodies[i][m[1]] = value;
      });
    }
  }

  /** Rows of a one-to-many navigation property (children whose lookup points at `id` on table `e`). */
  related(
    e: EntityMeta,
    id: string,
    coll: { child: EntityMeta; attr: AttrMeta },
    q: { select?: string; filter?: string; orderby?: string; top?: number; annotations: Annotations },
  ): Array<Record<string, unknown>> {
    const own = `_${coll.attr.logicalName}_value eq ${id}`;
    // Polymorphic lookups: keep only children whose lookup points at this table (judged on the rows the query read).
    const keep = (row: StoredRow) => {
      const t = row.data[`${coll.attr.logicalName}@lt`];
      return t === undefined || t === null || t === e.logicalName;
    };
    return this.query(coll.child, { select: q.select, filter: q.filter ? `${own} and (${q.filter})` : own, orderby: q.orderby, top: q.top ?? 5000, maxPageSize: 5000, annotations: q.annotations, keep }).value;
  }


  /**
   * The SELECT a query runs (one page), without running it: query() executes exactly this, and the tests read its
   * `EXPLAIN QUERY PLAN` to prove filters use the key indexes.
   */
  querySql(e: EntityMeta, q: Pick<QueryOptions, 'filter' | 'orderby' | 'top' | 'skiptoken' | 'maxPageSize'>): PageQuery {
    let where = '';
    let params: unknown[] = [];
    if (q.filter) {
      let ast;
      try {
        ast = parseFilter(q.filter);
      } catch (x) {
        if (x instanceof ODataSyntaxError) throw err.querySyntax(x.message);
        throw x;
      }
      const w = this.translator.where(e, ast);
      where = ` WHERE ${w.sql}`;
      params = w.params;
    }
    const order = q.orderby ? this.translator.orderBy(e, q.orderby) : '';
    const token = q.skiptoken ? parseSkipToken(q.skiptoken) : { page: 1 };
    const pageSize = q.top !== undefined ? Math.min(q.top, 5000) : q.maxPageSize;
    // Without $orderby rows come in primary-key order and the paging cookie carries the last key (keyset paging, as
    // the platform does); with $orderby the page number gives an offset.
    const keyset = !order && token.lastId !== undefined;
    const offset = q.top !== undefined || keyset ? 0 : (token.page - 1) * pageSize;
    const pageWhere = keyset ? `${where ? `${where} AND` : ' WHERE'} id > ?` : where;
    const sql = `SELECT id, data, ver FROM "${tableName(e)}"${pageWhere} ORDER BY ${order ? order + ', ' : ''}id LIMIT ? OFFSET ?`;
    return {
      sql,
      params: [...params, ...(keyset ? [token.lastId] : []), pageSize + 1, offset],
      countSql: `SELECT count(*) AS n FROM "${tableName(e)}"${where}`,
      countParams: params,
      ordered: !!order,
      pageSize,
      page: token.page,
    };
  }

  query(e: EntityMeta, q: QueryOptions): { value: Array<Record<string, unknown>>; count?: number; countLimited?: boolean; nextToken?: string } {
    const attrs = this.selectList(e, q.select);
    const { sql, params, countSql, countParams, ordered, pageSize, page } = this.querySql(e, q);
    const raw = this.store.query(sql, params);
    const more = q.top === undefined && raw.length > pageSize;
    const read = raw.slice(0, pageSize).map((r) => ({ id: r.id, data: JSON.parse(r.data) as Record<string, unknown>, version: r.ver }));
    const rows = q.keep ? read.filter(q.keep) : read;
    const value = rows.map((r) => this.format(e, r, attrs, q.annotations));
    if (q.expand) this.expand(e, value, rows, q.expand, q.annotations);
    let count: number | undefined;
    let countLimited: boolean | undefined;
    if (q.count) {
      const n = this.store.scalar(countSql, countParams);
      count = Math.min(n, 5000);
      countLimited = n > 5000;
    }
    const last = read[read.length - 1]?.id;
    return { value, count, countLimited, nextToken: more ? skipTokenFor(e, page + 1, ordered ? undefined : last, read[0]?.id) : undefined };
  }

  bulkSupported(e: EntityMeta): boolean {
    if (SYSTEM_TABLES.has(e.logicalName)) return false;
    return this.o.bulkSupportedTables === 'all' || this.o.bulkSupportedTables.includes(e.logicalName);
  }

  /** WinOpportunity / LoseOpportunity: a completed opportunityclose plus the opportunity's closed state. */
  closeOpportunity(win: boolean, body: Record<string, unknown>, ctx: CallContext): void {
    const status = body.Status;
    const oc = body.OpportunityClose as Record<string, unknown> | undefined;
    if (typeof status !== 'number' || !oc || typeof oc !== 'object') throw err.payload(`${win ? 'WinOpportunity' : 'LoseOpportunity'} needs Status and OpportunityClose.`);
    const bind = oc['opportunityid@odata.bind'];
    if (typeof bind !== 'string') throw err.payload("OpportunityClose needs 'opportunityid@odata.bind'.");
    const ref = this.parseRecordUrl(bind);
    if (ref.entity.logicalName !== 'opportunity') throw err.payload("'opportunityid@odata.bind' must address an opportunity.");
    const found = this.find(ref.entity, ref.pred);
    if (!found.row) throw found.byKey ? err.keyNotFound('opportunity') : err.notFound('opportunity', found.id ?? '');
    const opp = found.row;
    this.o.authorize?.(ctx, ref.entity, 'Write');
    if (opp.data.statecode !== 0) throw new DataverseError(400, '0x80040515', 'The opportunity is already closed.');
    const statuses = this.optionSet('opportunity_statuscode')!;
    const state = win ? 1 : 2;
    if (statuses.options.find((o) => o.value === status)?.state !== state)
      throw new DataverseError(400, INVALID_STATE_CODE, `${status} is not a valid status code for state code OpportunityState.${win ? 'Won' : 'Lost'} on opportunity with Id ${opp.id}.`);
    const closeEntity = this.catalog.entityOrThrow('opportunityclose');
    this.create(closeEntity, { ...oc, statecode: 1, statuscode: 2 }, ctx);
    const e = ref.entity;
    const data = { ...opp.data };
    data.statecode = state;
    data.statuscode = status;
    const end = typeof oc.actualend === 'string' ? oc.actualend.slice(0, 10) : new Date().toISOString().slice(0, 10);
    data.actualclosedate = end;
    if (typeof oc.actualrevenue === 'number') {
      data.actualvalue = oc.actualrevenue;
      data.actualvalue_base = oc.actualrevenue;
    } else if (win && data.actualvalue == null) {
      data.actualvalue = data.estimatedvalue ?? null;
      data.actualvalue_base = data.actualvalue;
    }
    const version = this.stamp(data, ctx, false);
    this.store.update(e, { id: opp.id, data, version });
  }

  /** Re-opening an opportunity cancels its completed close activities. */
  private cancelCloses(opportunityId: string, ctx: CallContext): void {
    const oc = this.catalog.entityOrThrow('opportunityclose');
    for (const r of this.store.query(`SELECT id, data, ver FROM "${tableName(oc)}" WHERE json_extract(data, '$."opportunityid"') = ?`, [opportunityId])) {
      const data = JSON.parse(r.data) as Record<string, unknown>;
      if (data.statecode !== 1) continue;
      data.statecode = 2;
      data.statuscode = 3;
      const version = this.stamp(data, ctx, false);
      this.store.update(oc, { id: r.id, data, version });
    }
  }

}

export function appUserId(clientId: string): string {
  return stableGuid(`seed:appuser:${clientId.toLowerCase()}`);
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

/** `$skiptoken` in the platform's shape: page number plus a (double-encoded) paging cookie with the last key. */
export function skipTokenFor(e: EntityMeta, page: number, lastId?: string, firstId?: string): string {
  const inner = lastId ? `<cookie page="${page - 1}"><${e.primaryIdAttribute} last="{${lastId.toUpperCase()}}" first="{${(firstId ?? lastId).toUpperCase()}}" /></cookie>` : '';
  return `<cookie pagenumber="${page}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
}
function parseSkipToken(token: string): { page: number; lastId?: string } {
  const m = /pagenumber="(\d+)"/.exec(token);
  if (!m) throw err.querySyntax('Bad $skiptoken.');
  const c = /pagingcookie="([^"]*)"/.exec(token);
  let lastId: string | undefined;
  if (c && c[1]) {
    try {
      const inner = decodeURIComponent(decodeURIComponent(c[1]));
      lastId = /last="\{([0-9A-Fa-f-]{36})\}"/.exec(inner)?.[1]?.toLowerCase();
    } catch {
      throw err.querySyntax('Bad paging cookie in $skiptoken.');
    }
  }
  return { page: Number(m[1]), lastId };
}
