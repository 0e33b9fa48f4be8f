// The REST resources under {api_endpoint}rest/: collection and by-id GETs with Actionstep's envelope and quirks, and
// the writes the reference lists (reference §2-§5). Pure request -> response logic over FirmStore; no sockets here.
import type { ResourceName } from '@astep/actionstep-connector/records';
import {
  RESOURCES, fromWire, isLinkModelled, isResourceName, toWire, type ResourceDef, type WireObject,
} from '@astep/actionstep-connector/resources';
import { OAuthError, errors } from './errors';
import { localTimestamp } from './generator/time';
import { hasScope, type Session } from './oauth';
import { compileQuery, type CompiledQuery } from './query';
import { overlayCanonical, tableOf, type FirmStore, type StoredRow } from './store';

export interface ApiResponse {
  status: number;
  body?: unknown;
}

export interface RestContext {
  store: FirmStore;
  session: Session;
  /** Absolute base of the REST API, ".../api/rest/". */
  restBase: string;
  singleObjectQuirk: boolean;
  timeZone: string;
  /** Display name of the acting user, for `deletedBy`. */
  actingUserName: string;
}

function requireScope(session: Session, resource: string): void {
  if (!hasScope(session, resource)) {
    throw new OAuthError(403, 'insufficient_scope', `The access token does not grant the '${resource}' scope.`);
  }
}

/** Count and page-anchor caches: without them an xl firm would pay a full COUNT and an O(offset) scan per page. */
class QueryCache {
  private counts = new Map<string, number>();
  private anchors = new Map<string, Map<number, number>>();
  private version = -1;

  sync(version: number): void {
    if (version !== this.version || this.counts.size > 2000) {
      this.counts.clear();
      this.anchors.clear();
      this.version = version;
    }
  }
  count(key: string, compute: () => number): number {
    let n = this.counts.get(key);
    if (n === undefined) {
      n = compute();
      this.counts.set(key, n);
    }
    return n;
  }
  anchor(key: string, page: number): number | undefined {
    return this.anchors.get(key)?.get(page);
  }
  setAnchor(key: string, page: number, seq: number): void {
    let m = this.anchors.get(key);
    if (!m) {
      m = new Map();
      this.anchors.set(key, m);
    }
    m.set(page, seq);
  }
}

export class RestHandler {
  private cache = new QueryCache();

  constructor(private readonly store: FirmStore) {}

  handle(method: string, rest: string, search: URLSearchParams, body: string, ctx: RestContext): ApiResponse {
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const idPart = slash < 0 ? '' : rest.slice(slash + 1);
    // Case-sensitive: "Actions" is not "actions" (reference §2).
    if (!isResourceName(name)) throw errors.unknownResource(name);
    const def = RESOURCES[name];
    requireScope(ctx.session, def.scope);
    const verb = method === 'PATCH' && name === 'actions' ? 'PATCH' : method;
    if (!(def.verbs as string[]).includes(verb)) throw errors.methodNotAllowed(method, name);
    this.cache.sync(this.store.version);
    if (method === 'GET') {
      if (!idPart) return this.list(def, search, ctx);
      if (name === 'users' && idPart === 'current') return this.byIds(def, [ctx.session.userId], search, ctx);
      return this.byIds(def, splitIds(idPart), search, ctx);
    }
    if (method === 'POST') {
      if (idPart) throw errors.methodNotAllowed('POST with an id', name);
      return this.create(def, body, ctx);
    }
    if (method === 'PUT' || method === 'PATCH') {
      if (!idPart) throw errors.badRequest(`${method} needs an id: /${name}/{id}.`);
      return this.update(def, splitIds(idPart), body, ctx);
    }
    if (method === 'DELETE') {
      if (!idPart) throw errors.badRequest(`DELETE needs an id: /${name}/{id}.`);
      for (const id of splitIds(idPart)) {
        const row = this.visibleRow(def.name, id, ctx);
        if (!row) throw errors.notFound(def.name, id);
        this.store.delete(def.name, id);
      }
      return { status: 204 };
    }
    throw errors.methodNotAllowed(method, name);
  }

  // ------------------------------------------------------------------------------------------ reads
  private visibilitySql(resource: ResourceName): string | null {
    if (!isMatterScoped(resource)) return null;
    return `(t0.action_id IS NULL OR t0.action_id NOT IN (${this.store.hiddenMatterSql().replace('@actingUser', '?')}))`;
  }

  private list(def: ResourceDef, search: URLSearchParams, ctx: RestContext): ApiResponse {
    const q = compileQuery(def.name, search);
    const where = [...q.where];
    const params = [...q.params];
    const vis = this.visibilitySql(def.name);
    if (vis) {
      where.push(vis);
      params.push(ctx.session.userId);
    }
    // Soft-deleted matters are left out of the default listing but can be asked for with an isDeleted filter
    // (reference "best guesses" 10 and 12: whether they are listed is unknown; this is the harsher choice).
    if (def.name === 'actions' && !q.filtersDeleted) where.push(`COALESCE(json_extract(t0.wire, '$.isDeleted'), 'F') <> 'T'`);
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const table = `${tableOf(def.name)} t0`;
    const key = `${def.name}|${ctx.session.userId}|${q.cacheKey}`;
    const total = this.cache.count(key, () => (this.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} ${whereSql}`).get(...params) as { n: number }).n);
    const pageCount = Math.ceil(total / q.pageSize);
    if (total === 0 || q.page > pageCount) return { status: 204 }; // empty: 204, no body (reference §4)
    let rows: Array<{ seq: number; wire: string }>;
    const anchor = q.defaultOrder && q.page > 1 ? this.cache.anchor(key + `|${q.pageSize}`, q.page - 1) : undefined;
    if (anchor !== undefined) {
      const w = where.length ? `${whereSql} AND t0.seq > ?` : 'WHERE t0.seq > ?';
      rows = this.store.db.prepare(`SELECT t0.seq, t0.wire FROM ${table} ${w} ORDER BY t0.seq ASC LIMIT ?`).all(...params, anchor, q.pageSize) as typeof rows;
    } else {
      rows = this.store.db
        .prepare(`SELECT t0.seq, t0.wire FROM ${table} ${whereSql} ORDER BY ${q.orderBy} LIMIT ? OFFSET ?`)
        .all(...params, q.pageSize, (q.page - 1) * q.pageSize) as typeof rows;
    }
    if (q.defaultOrder && rows.length) this.cache.setAnchor(key + `|${q.pageSize}`, q.page, rows[rows.length - 1].seq);
    const wires = rows.map((r) => JSON.parse(r.wire) as WireObject);
    const pageUrl = (p: number): string => {
      const s = new URLSearchParams(search);
      s.set('page', String(p));
      return `${ctx.restBase}${def.name}?${s.toString()}`;
    };
    const paging = {
      recordCount: total, pageCount, page: q.page, pageSize: q.pageSize,
      prevPage: q.page > 1 ? pageUrl(q.page - 1) : null, nextPage: q.page < pageCount ? pageUrl(q.page + 1) : null,
    };
    return { status: 200, body: this.envelope(def, wires, q, paging, ctx, false) };
  }

  private byIds(def: ResourceDef, ids: string[], search: URLSearchParams, ctx: RestContext): ApiResponse {
    const q = compileQuery(def.name, onlyShaping(search));
    const wires: WireObject[] = [];
    for (const id of ids) {
      const row = this.visibleRow(def.name, id, ctx);
      if (row) wires.push(row.wire);
    }
    if (!wires.length) throw errors.notFound(def.name, ids.join(','));
    const paging = { recordCount: wires.length, pageCount: 1, page: 1, pageSize: Math.max(wires.length, q.pageSize), prevPage: null, nextPage: null };
    return { status: 200, body: this.envelope(def, wires, q, paging, ctx, ids.length === 1) };
  }

  private visibleRow(resource: ResourceName, id: string, ctx: RestContext): StoredRow | null {
    const row = this.store.get(resource, id);
    if (!row) return null;
    if (isMatterScoped(resource) && this.store.isHiddenFrom(row.actionId, ctx.session.userId)) return null;
    return row;
  }

  private envelope(def: ResourceDef, wires: WireObject[], q: CompiledQuery, paging: Record<string, unknown>, ctx: RestContext, byId: boolean): Record<string, unknown> {
    const shaped = wires.map((w) => shape(def, this.personalize(def, w, ctx), q.fields.get(def.name) ?? null));
    const body: Record<string, unknown> = { links: linkTemplates(def, ctx.restBase) };
    // A collection with exactly one record comes back as a bare object (reference §4, critical quirk).
    body[def.name] = byId || (ctx.singleObjectQuirk && shaped.length === 1) ? shaped[0] : shaped;
    if (q.includes.length) body.linked = this.sideload(def, wires, q, ctx);
    body.meta = {
      paging: { [def.name]: paging },
      debug: { requestTime: '0.01', mem: '8mb', server: 'emulator', cb: 'emulator', time: `(${ctx.timeZone})`, app: 'actionstep-emulator', db: 'sqlite', rl: null },
    };
    return body;
  }

  private personalize(def: ResourceDef, w: WireObject, ctx: RestContext): WireObject {
    if (def.name !== 'users') return w;
    return { ...w, isCurrent: String(w.id) === ctx.session.userId ? 'T' : 'F' };
  }

  private sideload(def: ResourceDef, primary: WireObject[], q: CompiledQuery, ctx: RestContext): Record<string, WireObject[]> {
    const linked: Record<string, Map<string, WireObject>> = {};
    for (const path of q.includes) {
      let cur = def;
      let records = primary;
      for (const linkName of path) {
        const link = cur.links.find((l) => l.name === linkName)!;
        const target = RESOURCES[link.resource];
        requireScope(ctx.session, target.scope); // includes need the included resource's scope (reference §5, [I])
        const ids = new Set<string>();
        for (const r of records) {
          const v = r.links?.[linkName];
          for (const x of Array.isArray(v) ? v : [v]) if (x !== null && x !== undefined && x !== '') ids.add(String(x));
        }
        const next: WireObject[] = [];
        const bucket = (linked[target.name] ??= new Map());
        for (const id of ids) {
          const row = this.visibleRow(target.name, id, ctx);
          if (!row) continue;
          next.push(row.wire);
          if (!bucket.has(row.id)) bucket.set(row.id, shape(target, this.personalize(target, row.wire, ctx), q.fields.get(target.name) ?? null));
        }
        records = next;
        cur = target;
      }
    }
    const out: Record<string, WireObject[]> = {};
    for (const [k, m] of Object.entries(linked)) out[k] = [...m.values()];
    return out;
  }

  // ------------------------------------------------------------------------------------------ writes
  private parseBody(def: ResourceDef, body: string): Array<Record<string, unknown>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw errors.badJson('Unable to decode the JSON message');
    }
    if (!parsed || typeof parsed !== 'object' || !(def.name in (parsed as object))) {
      throw errors.badRequest(`The request body must wrap the record(s) in a '${def.name}' key: {"${def.name}": {...}}.`, null, '/');
    }
    const inner = (parsed as Record<string, unknown>)[def.name];
    const items = Array.isArray(inner) ? inner : [inner];
    for (const [i, item] of items.entries()) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw errors.badRequest(`'${def.name}'[${i}] must be an object.`, null, `/${def.name}/${i}`);
      }
      for (const k of Object.keys(item as object)) {
        if (k === 'links') continue;
        if (k === 'id' || !def.fields.some((f) => f.name === k)) {
          throw errors.badRequest(`Unknown or read-only field '${k}' on '${def.name}' (field names are case-sensitive).`, null, `/${def.name}/${k}`);
        }
      }
      const links = (item as Record<string, unknown>).links;
      if (links !== undefined) {
        if (!links || typeof links !== 'object') throw errors.badRequest(`'links' must be an object.`, null, `/${def.name}/links`);
        for (const k of Object.keys(links as object)) {
          if (!def.links.some((l) => l.name === k)) throw errors.badRequest(`Unknown link '${k}' on '${def.name}'.`, null, `/${def.name}/links/${k}`);
        }
      }
    }
    return items as Array<Record<string, unknown>>;
  }

  /** Merges body fields into a wire object and re-canonicalises the fields the normalized record carries. */
  private canonical(def: ResourceDef, merged: WireObject): WireObject {
    const issues: string[] = [];
    const rec = fromWire(def.name, merged, { onIssue: (i) => issues.push(`${i.field}: ${i.rule} (got ${JSON.stringify(i.value)})`) });
    if (issues.length) throw errors.badRequest(`Invalid values for '${def.name}': ${issues.join('; ')}.`);
    const out = overlayCanonical(def.name, merged, toWire(def.name, rec as never));
    for (const f of def.fields) if (f.kind === 'boolean' && !f.record && typeof out[f.name] === 'boolean') out[f.name] = out[f.name] ? 'T' : 'F';
    return out;
  }

  private create(def: ResourceDef, body: string, ctx: RestContext): ApiResponse {
    const items = this.parseBody(def, body);
    const created: WireObject[] = [];
    for (const item of items) {
      const links = { ...((item.links as Record<string, unknown>) ?? {}) };
      for (const k of Object.keys(links)) links[k] = Array.isArray(links[k]) ? (links[k] as unknown[]).map(String) : links[k] === null ? null : String(links[k]);
      this.checkRequired(def, item, links);
      this.checkParents(def, links, ctx);
      const now = localTimestamp(Date.now());
      const base: WireObject = { ...item, links };
      let id: string;
      if (def.name === 'actionparticipants') {
        id = `${String(links.action)}--${String(links.participantType)}--${String(links.participant)}`;
        if (this.store.get(def.name, id)) throw errors.badRequest(`Participant ${String(links.participant)} already holds role ${String(links.participantType)} on matter ${String(links.action)}.`);
      } else if (def.name === 'datacollectionfields') {
        id = `${String(links.dataCollection)}--${String(item.name)}`;
        if (this.store.get(def.name, id)) throw errors.badRequest(`Data collection ${String(links.dataCollection)} already has a field named '${String(item.name)}'.`);
      } else if (def.name === 'datacollectionrecordvalues') {
        id = `${String(links.dataCollectionField)}--${String(links.dataCollectionRecord)}`;
        if (this.store.get(def.name, id)) throw errors.badRequest(`A value '${id}' already exists: update it with PUT.`);
        const record = this.store.get('datacollectionrecords', String(links.dataCollectionRecord));
        links.dataCollection ??= String(links.dataCollectionField).split('--')[0];
        links.action ??= record?.wire.links?.action ?? null;
      } else {
        id = String(this.store.nextIntegerId(def.name));
      }
      base.id = def.idKind === 'integer' ? Number(id) : id;
      for (const f of ['createdTimestamp', 'enteredTimestamp', 'modifiedTimestamp', 'lastModifiedTimestamp']) {
        if (def.fields.some((x) => x.name === f) && (base[f] === undefined || base[f] === null)) base[f] = now;
      }
      if (def.name === 'participants' && !base.displayName) {
        base.displayName = base.isCompany === 'T' || base.isCompany === true
          ? String(base.companyName ?? '')
          : [base.lastName, base.firstName].filter(Boolean).join(', ');
      }
      if (def.name === 'filenotes') {
        base.source ??= 'User';
        base.enteredBy ??= ctx.actingUserName;
      }
      const wire = this.canonical(def, base);
      this.store.insert(def.name, wire);
      created.push(wire);
    }
    // POST answers 200 with the created record(s), as the official YAMLs list (the old wiki says 201; reference §4).
    return this.written(def, created, ctx);
  }

  /** The answer to a write: the written record(s) in one unpaged envelope (a single record as a bare object). */
  private written(def: ResourceDef, wires: WireObject[], ctx: RestContext): ApiResponse {
    const q = compileQuery(def.name, new URLSearchParams());
    const paging = { recordCount: wires.length, pageCount: 1, page: 1, pageSize: wires.length, prevPage: null, nextPage: null };
    return { status: 200, body: this.envelope(def, wires, q, paging, ctx, wires.length === 1) };
  }

  private checkRequired(def: ResourceDef, item: Record<string, unknown>, links: Record<string, unknown>): void {
    const need: Array<[string, boolean]> = [];
    const has = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
    switch (def.name) {
      case 'timeentries':
        need.push(['timestampDate', has(item.timestampDate)], ['actualHours', has(item.actualHours)],
          ['links/owner', has(links.owner)], ['links/createdBy', has(links.createdBy)]);
        break;
      case 'filenotes':
        need.push(['text', has(item.text)], ['links/action', has(links.action)]);
        break;
      case 'tasks':
        need.push(['name', has(item.name)], ['links/action', has(links.action)]);
        break;
      case 'disbursements':
        need.push(['links/action', has(links.action)]);
        break;
      case 'actionparticipants':
        need.push(['links/action', has(links.action)], ['links/participantType', has(links.participantType)], ['links/participant', has(links.participant)]);
        break;
      case 'datacollectionfields':
        need.push(['name', has(item.name)], ['dataType', has(item.dataType)], ['links/dataCollection', has(links.dataCollection)]);
        break;
      case 'datacollectionrecords':
        need.push(['links/action', has(links.action)], ['links/dataCollection', has(links.dataCollection)]);
        break;
      case 'datacollectionrecordvalues':
        need.push(['links/dataCollectionField', has(links.dataCollectionField)], ['links/dataCollectionRecord', has(links.dataCollectionRecord)]);
        break;
      case 'participants':
        need.push(['displayName, firstName/lastName or companyName', has(item.displayName) || has(item.lastName) || has(item.firstName) || has(item.companyName)]);
        break;
      default:
        break;
    }
    for (const [field, ok] of need) {
      if (!ok) throw errors.badRequest(`'${field}' is required to create '${def.name}'.`, null, `/${def.name}/${field}`);
    }
  }

  private checkParents(def: ResourceDef, links: Record<string, unknown>, ctx: RestContext): void {
    for (const l of def.links) {
      const v = links[l.name];
      if (v === undefined || v === null || v === '' || !isLinkModelled(def.name, l.name)) continue;
      for (const id of Array.isArray(v) ? v : [v]) {
        if (!this.visibleRow(l.resource, String(id), ctx)) {
          throw errors.badRequest(`links.${l.name}: ${l.resource} '${String(id)}' does not exist or is not visible to this user.`, null, `/${def.name}/links/${l.name}`);
        }
      }
    }
  }

  private update(def: ResourceDef, ids: string[], body: string, ctx: RestContext): ApiResponse {
    const items = this.parseBody(def, body);
    if (items.length !== 1 && items.length !== ids.length) {
      throw errors.badRequest(`PUT of ${ids.length} id(s) needs one record or one per id, got ${items.length}.`);
    }
    const updated: WireObject[] = [];
    ids.forEach((id, i) => {
      const row = this.visibleRow(def.name, id, ctx);
      if (!row) throw errors.notFound(def.name, id);
      const patch = items.length === 1 ? items[0] : items[i];
      const links = { ...(row.wire.links ?? {}), ...((patch.links as Record<string, unknown>) ?? {}) };
      const merged: WireObject = { ...row.wire, ...patch, id: row.wire.id, links };
      if (def.modifiedField && patch[def.modifiedField] === undefined) merged[def.modifiedField] = localTimestamp(Date.now());
      if (def.name === 'actions' && patch.status !== undefined && patch.status !== row.wire.status) merged.statusTimestamp = localTimestamp(Date.now());
      const wire = this.canonical(def, merged);
      this.store.replace(def.name, wire);
      updated.push(wire);
    });
    return this.written(def, updated, ctx);
  }
}

/** Records that belong to a matter, and so are hidden with a restricted one. */
function isMatterScoped(resource: ResourceName): boolean {
  return resource === 'actions' || RESOURCES[resource].links.some((l) => l.name === 'action');
}

/** Splits "1,2,3" (ids are percent-decoded; composite parts may hold any character but a comma). */
export function splitIds(idPart: string): string[] {
  return idPart.split(',').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw errors.badRequest(`Malformed id '${s}' in the path.`);
    }
  }).filter((s) => s !== '');
}

function onlyShaping(search: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of search) if (k === 'include' || k === 'fields' || k.startsWith('fields[')) out.append(k, v);
  return out;
}

function shape(def: ResourceDef, wire: WireObject, fields: Set<string> | null): WireObject {
  if (!fields) return wire;
  const out: WireObject = { id: wire.id };
  const links: Record<string, unknown> = {};
  for (const f of fields) {
    if (def.links.some((l) => l.name === f)) links[f] = wire.links?.[f] ?? null;
    else if (f !== 'id') out[f] = wire[f] ?? null;
  }
  if (Object.keys(links).length) out.links = links;
  return out;
}

function linkTemplates(def: ResourceDef, restBase: string): Record<string, { href: string; type: string }> {
  const out: Record<string, { href: string; type: string }> = {};
  for (const l of def.links) {
    if (!isLinkModelled(def.name, l.name)) continue;
    out[`${def.name}.${l.name}`] = { href: `${restBase}${l.resource}/{${def.name}.${l.name}}`, type: l.resource };
  }
  return out;
}

