// Turns an Actionstep collection query string (filters, sort, fields, include, paging; reference §5) into SQL over
// the wire JSON stored by FirmStore. Names are case-sensitive; an unknown field is a 400, never silently ignored.
import type { ResourceName } from '@astep/actionstep-connector/records';
import { RESOURCES, isLinkModelled, type FieldDef, type LinkDef, type ResourceDef } from '@astep/actionstep-connector/resources';
import { errors } from './errors';
import { tableOf, timestampMs } from './store';

const OPS = ['eq', 'nteq', 'gt', 'gteq', 'lt', 'lteq', 'in', 'ntin', 'like', 'ntlike', 'ilike', 'ntilike'] as const;
type Op = (typeof OPS)[number];
const OP_RE = new RegExp(`^(.+)_(${OPS.join('|')})$`);
const RESERVED = new Set(['page', 'pageSize', 'sort', 'fields', 'include']);

export interface CompiledQuery {
  where: string[];
  params: unknown[];
  orderBy: string;
  /** True when ordering is the default (seq ascending): page anchors can then replace OFFSET. */
  defaultOrder: boolean;
  page: number;
  pageSize: number;
  /** Requested fields per resource name (null = all). The primary resource is keyed by its own name. */
  fields: Map<string, Set<string> | null>;
  includes: string[][];
  /** A filter mentions isDeleted: soft-deleted matters are then not excluded by default. */
  filtersDeleted: boolean;
  /** Canonical text of the filter and sort, for caches. */
  cacheKey: string;
}

interface Ctx {
  params: unknown[];
  depth: number;
}

function split(key: string): string[] | null {
  const m = /^([^[\]]+)((?:\[[^[\]]+\])*)$/.exec(key);
  if (!m) return null;
  const rest = m[2] ? m[2].slice(1, -1).split('][') : [];
  return [m[1], ...rest];
}

function jsonPath(name: string): string {
  // Field names come from RESOURCES (safe identifiers, snake or camel case): quoting keeps SQLite's path parser happy.
  return `'$."${name}"'`;
}

function fieldExpr(def: ResourceDef, alias: string, f: FieldDef): { expr: string; kind: 'num' | 'ts' | 'text' } {
  if (f.name === 'id') return def.idKind === 'integer' ? { expr: `${alias}.seq`, kind: 'num' } : { expr: `${alias}.id`, kind: 'text' };
  const raw = `json_extract(${alias}.wire, ${jsonPath(f.name)})`;
  switch (f.kind) {
    case 'integer':
    case 'number':
    case 'money':
      return { expr: `CAST(NULLIF(${raw}, '') AS REAL)`, kind: 'num' };
    case 'timestamp':
    case 'date':
      return { expr: `ts_ms(${raw})`, kind: 'ts' };
    default:
      return { expr: raw, kind: 'text' };
  }
}

function coerce(kind: 'num' | 'ts' | 'text', value: string, param: string, f: FieldDef | null): unknown {
  if (kind === 'num') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw errors.badRequest(`Filter '${param}' expects a number, got '${value}'.`, param);
    return n;
  }
  if (kind === 'ts') {
    // Integrators against the live API: timestamp filters take `yyyy-MM-ddTHH:mm:ss` without an offset, read as UTC
    // (seth-inertia-legal/actionstep-export-tool docs/api-quirks.md; reference "Added 2026-12-04"). What the API does
    // with an offset is not documented; the harsher plausible reading is that it is ignored, so it is here: the
    // digits are read as UTC, and a client must send UTC without an offset to filter where it means.
    const ms = timestampMs(withoutOffset(value));
    if (ms === null) {
      throw errors.badRequest(`Filter '${param}' expects a date or timestamp (YYYY-MM-DD[THH:MM:SS], UTC), got '${value}'.`, param);
    }
    return ms;
  }
  if (f?.kind === 'boolean' && value !== 'T' && value !== 'F') {
    throw errors.badRequest(`Filter '${param}' expects T or F, got '${value}'.`, param);
  }
  return value;
}

const OFFSET_AFTER_TIME = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$/;
function withoutOffset(value: string): string {
  return OFFSET_AFTER_TIME.exec(value.trim())?.[1] ?? value;
}

function globPattern(v: string): string {
  return v.replace(/[[\]?]/g, (c) => `[${c}]`).replace(/[*%]/g, '*');
}
function likePattern(v: string): string {
  return v.replace(/[\\_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** One comparison `expr <op> value` (value already split for in/ntin). */
function compare(expr: string, kind: 'num' | 'ts' | 'text', op: Op, value: string, param: string, f: FieldDef | null, ctx: Ctx): string {
  const isNull = value === ':NULL';
  const nullish = kind === 'text' ? `(${expr} IS NULL OR ${expr} = '')` : `${expr} IS NULL`;
  switch (op) {
    case 'eq':
      if (isNull) return nullish;
      ctx.params.push(coerce(kind, value, param, f));
      return `${expr} = ?`;
    case 'nteq':
      if (isNull) return `NOT ${nullish}`;
      ctx.params.push(coerce(kind, value, param, f));
      return `(${expr} IS NULL OR ${expr} <> ?)`;
    case 'gt':
    case 'gteq':
    case 'lt':
    case 'lteq': {
      ctx.params.push(coerce(kind, value, param, f));
      const sym = { gt: '>', gteq: '>=', lt: '<', lteq: '<=' }[op];
      return `${expr} ${sym} ?`;
    }
    case 'in':
    case 'ntin': {
      const items = value.split(',');
      for (const i of items) ctx.params.push(coerce(kind, i, param, f));
      const list = items.map(() => '?').join(', ');
      return op === 'in' ? `${expr} IN (${list})` : `(${expr} IS NULL OR ${expr} NOT IN (${list}))`;
    }
    case 'like':
    case 'ntlike':
      ctx.params.push(globPattern(value));
      return op === 'like' ? `CAST(${expr} AS TEXT) GLOB ?` : `(${expr} IS NULL OR CAST(${expr} AS TEXT) NOT GLOB ?)`;
    case 'ilike':
    case 'ntilike':
      ctx.params.push(likePattern(value).toLowerCase());
      return op === 'ilike'
        ? `lower(CAST(${expr} AS TEXT)) LIKE ? ESCAPE '\\'`
        : `(${expr} IS NULL OR lower(CAST(${expr} AS TEXT)) NOT LIKE ? ESCAPE '\\')`;
    default:
      throw errors.badRequest(`Unknown filter operator in '${param}'.`, param);
  }
}

function leaf(def: ResourceDef, alias: string, name: string, op: Op, value: string, param: string, ctx: Ctx): string {
  const f = def.fields.find((x) => x.name === name);
  if (f) {
    if (f.name === 'id' && def.idKind !== 'integer' && (op === 'gt' || op === 'gteq' || op === 'lt' || op === 'lteq')) {
      // Comparison operators apply to numbers and dates (reference §5); a composite id is text such as "7--2--10".
      // Whether Actionstep compares such ids at all is unknown: refusing is the harsher choice (no keyset for them).
      throw errors.badRequest(`Filter '${param}' compares numbers and dates; ${def.name} ids are composite text (like "7--2--10") and cannot be compared.`, param);
    }
    const { expr, kind } = fieldExpr(def, alias, f);
    return compare(expr, kind, op, value, param, f, ctx);
  }
  const link = def.links.find((x) => x.name === name);
  if (!link) throw unknownField(def, name, param);
  if (!link.many) {
    // The single `action` link is also stored in the indexed action_id column (FirmStore): use it, so per-matter
    // queries stay fast on an xl firm.
    const expr = link.name === 'action' ? `${alias}.action_id` : `json_extract(${alias}.wire, '$.links."${link.name}"')`;
    return compare(expr, 'text', op, value, param, null, ctx);
  }
  const je = `je${ctx.depth}_${ctx.params.length}`;
  const negative = op === 'nteq' || op === 'ntin' || op === 'ntlike' || op === 'ntilike';
  const positiveOp = (negative ? op.slice(2) : op) as Op;
  const inner = compare(`${je}.value`, 'text', positiveOp, value, param, null, ctx);
  const exists = `EXISTS (SELECT 1 FROM json_each(${alias}.wire, '$.links."${link.name}"') ${je} WHERE ${inner})`;
  return negative ? `NOT ${exists}` : exists;
}

const DELTA_FIELDS = new Set(['modifiedTimestamp', 'lastModifiedTimestamp', 'last_modified_time_stamp']);

function unknownField(def: ResourceDef, name: string, param: string): Error {
  const bare = OP_RE.exec(name)?.[1] ?? name;
  if (DELTA_FIELDS.has(bare)) {
    return errors.badRequest(
      `Resource '${def.name}' has no '${bare}' field: it has ${def.modifiedField ? `'${def.modifiedField}' as its modified timestamp` : 'no modified timestamp, so delta filters are not possible'} (parameter '${param}').`,
      param,
    );
  }
  return errors.badRequest(
    `Unknown field '${bare}' on resource '${def.name}' in parameter '${param}' (field names are case-sensitive).`,
    param,
  );
}

function condition(def: ResourceDef, alias: string, segs: string[], value: string, param: string, ctx: Ctx): string {
  if (segs.length === 1) {
    const m = OP_RE.exec(segs[0]);
    const name = m && (def.fields.some((f) => f.name === m[1]) || def.links.some((l) => l.name === m[1])) ? m[1] : segs[0];
    const op = (name === segs[0] ? 'eq' : m![2]) as Op;
    return leaf(def, alias, name, op, value, param, ctx);
  }
  const link = def.links.find((l) => l.name === segs[0]);
  if (!link) throw unknownField(def, segs[0], param);
  if (!isLinkModelled(def.name, link.name)) {
    throw errors.badRequest(`Filtering through link '${link.name}' of '${def.name}' is not supported by this emulator.`, param);
  }
  ctx.depth++;
  const sub = `t${ctx.depth}`;
  const target = RESOURCES[link.resource];
  const inner = condition(target, sub, segs.slice(1), value, param, ctx);
  const subquery = `SELECT ${sub}.id FROM ${tableOf(target.name)} ${sub} WHERE ${inner}`;
  if (link.many) {
    const je = `jl${ctx.depth}`;
    return `EXISTS (SELECT 1 FROM json_each(${alias}.wire, '$.links."${link.name}"') ${je} WHERE ${je}.value IN (${subquery}))`;
  }
  const linkExpr = link.name === 'action' ? `${alias}.action_id` : `json_extract(${alias}.wire, '$.links."${link.name}"')`;
  return `${linkExpr} IN (${subquery})`;
}

function sortExpr(def: ResourceDef, name: string): string {
  const f = def.fields.find((x) => x.name === name);
  if (f) return fieldExpr(def, 't0', f).expr;
  const l: LinkDef | undefined = def.links.find((x) => x.name === name);
  if (l && !l.many) return `json_extract(t0.wire, '$.links."${l.name}"')`;
  throw errors.badRequest(`Cannot sort '${def.name}' by unknown field '${name}' (field names are case-sensitive).`, 'sort');
}

function parseFieldList(def: ResourceDef, raw: string, param: string): Set<string> | null {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes(':default')) {
    // ":default" = every default field; extras listed beside it are already among ours.
    return null;
  }
  for (const n of names) {
    if (!def.fields.some((f) => f.name === n) && !def.links.some((l) => l.name === n)) throw unknownField(def, n, param);
  }
  return new Set(names);
}

export function compileQuery(resource: ResourceName, search: URLSearchParams): CompiledQuery {
  const def = RESOURCES[resource];
  const ctx: Ctx = { params: [], depth: 0 };
  const where: string[] = [];
  const fields = new Map<string, Set<string> | null>();
  let includes: string[][] = [];
  let filtersDeleted = false;
  let page = 1;
  let pageSize = def.defaultPageSize;
  let orderBy = 't0.seq ASC';
  let defaultOrder = true;
  const keyParts: string[] = [];
  for (const [key, value] of search) {
    if (key === 'page') {
      page = Number(value);
      if (!Number.isInteger(page) || page < 1) throw errors.badRequest(`'page' must be a positive integer, got '${value}'.`, 'page');
      continue;
    }
    if (key === 'pageSize') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw errors.badRequest(`'pageSize' must be a positive integer, got '${value}'.`, 'pageSize');
      pageSize = Math.min(n, def.maxPageSize); // over 200 is ignored, not an error (reference §5, S12)
      continue;
    }
    if (key === 'sort') {
      const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
      orderBy = [...parts.map((p) => `${sortExpr(def, p.replace(/^-/, ''))} ${p.startsWith('-') ? 'DESC' : 'ASC'}`), 't0.seq ASC'].join(', ');
      defaultOrder = false;
      keyParts.push(`sort=${value}`);
      continue;
    }
    if (key === 'include') {
      includes = value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.split('.'));
      for (const path of includes) validateInclude(def, path);
      continue;
    }
    const fm = /^fields(?:\[([^\]]+)\])?$/.exec(key);
    if (fm) {
      const resName = fm[1] ?? resource;
      const target = RESOURCES[resName as ResourceName];
      if (!target) throw errors.badRequest(`Unknown resource '${resName}' in '${key}'.`, key);
      fields.set(resName, parseFieldList(target, value, key));
      continue;
    }
    if (RESERVED.has(key)) continue;
    const segs = split(key);
    if (!segs) throw errors.badRequest(`Malformed filter parameter '${key}'.`, key);
    if (segs.length === 1 && /^isDeleted(_|$)/.test(segs[0])) filtersDeleted = true;
    where.push(condition(def, 't0', segs, value, key, ctx));
    keyParts.push(`${key}=${value}`);
  }
  return {
    where, params: ctx.params, orderBy, defaultOrder, page, pageSize, fields, includes, filtersDeleted,
    cacheKey: keyParts.sort().join('&'),
  };
}

function validateInclude(def: ResourceDef, path: string[]): void {
  let cur = def;
  for (const name of path) {
    const link = cur.links.find((l) => l.name === name);
    if (!link) {
      throw errors.badRequest(`Cannot include '${path.join('.')}': '${cur.name}' has no link '${name}' (link names are case-sensitive).`, 'include');
    }
    if (!isLinkModelled(cur.name, name)) {
      throw errors.badRequest(`Cannot include '${path.join('.')}': link '${name}' points to a resource this emulator does not serve.`, 'include');
    }
    cur = RESOURCES[link.resource];
  }
}
