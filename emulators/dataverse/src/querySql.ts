// $filter / $orderby → SQL over the JSON row store. Property names are checked against the metadata so unknown
// names give the platform's "Could not find a property named ..." error.
import { DataverseError, err } from './errors';
import type { MetadataCatalog } from './metadataCatalog';
import type { AttrMeta, EntityMeta } from './metadataTypes';
import type { FilterNode, Literal, Operand, PropertyRef } from './odataFilter';
import { colExpr, tableName } from './recordStore';
import { normalizeDateTime } from './values';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

interface Resolved {
  expr: string;
  attr: AttrMeta;
}

export class QueryTranslator {
  private aliasN = 0;
  constructor(private readonly catalog: MetadataCatalog) {}

  /** Resolves `name`, `_lookup_value` or `nav/name` to a SQL expression. */
  resolve(e: EntityMeta, p: PropertyRef, alias = ''): Resolved & { wrap?: (inner: string) => string } {
    if (p.path.length === 1) {
      const name = p.path[0];
      const m = /^_(.+)_value$/.exec(name);
      if (m) {
        const a = this.catalog.attribute(e, m[1]);
        if (a && (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner')) return { expr: colExpr(a.logicalName, alias), attr: a };
      }
      const a = this.catalog.attribute(e, name);
      if (!a || a.type === 'lookup' || a.type === 'customer' || a.type === 'owner') throw err.unknownSelect(name, e.logicalName);
      // The primary key is the row's `id` column (its PRIMARY KEY index); the copy inside the JSON has no index.
      if (a.logicalName === e.primaryIdAttribute) return { expr: `${alias}id`, attr: a };
      return { expr: colExpr(a.logicalName, alias), attr: a };
    }
    if (p.path.length === 2) {
      const nav = this.catalog.navProps(e).get(p.path[0]);
      if (!nav || nav.targets.length !== 1) throw err.unknownSelect(p.path[0], e.logicalName);
      const target = this.catalog.entityOrThrow(nav.targets[0]);
      const a2 = `t${++this.aliasN}.`;
      const inner = this.resolve(target, { kind: 'prop', path: [p.path[1]] }, a2);
      const outer = colExpr(nav.attr.logicalName, alias);
      return {
        expr: inner.expr,
        attr: inner.attr,
        wrap: (cond: string) => `${outer} IN (SELECT ${a2.slice(0, -1)}.id FROM "${tableName(target)}" ${a2.slice(0, -1)} WHERE ${cond})`,
      };
    }
    throw err.querySyntax(`Unsupported property path '${p.path.join('/')}'.`);
  }

  private literalValue(a: AttrMeta, lit: Literal): unknown {
    if (lit.type === 'null') return null;
    if (lit.type === 'boolean') return lit.value ? 1 : 0;
    if (a.type === 'datetime') {
      const s = String(lit.value);
      if (a.dateBehavior === 'DateOnly') return s.slice(0, 10);
      if (lit.type === 'date') return `${s}T00:00:00Z`;
      const n = normalizeDateTime(s);
      if (!n) throw err.querySyntax(`Bad date/time literal '${s}'.`);
      return n;
    }
    if (lit.type === 'guid') return String(lit.value).toLowerCase();
    if ((a.type === 'lookup' || a.type === 'owner' || a.type === 'customer' || a.type === 'uniqueidentifier') && typeof lit.value === 'string')
      return lit.value.toLowerCase();
    return lit.value;
  }

  private isText(a: AttrMeta): boolean {
    return a.type === 'string' || a.type === 'memo' || a.type === 'multiselectpicklist' || a.type === 'entityname';
  }

  where(e: EntityMeta, n: FilterNode): SqlFragment {
    switch (n.kind) {
      case 'and':
      case 'or': {
        const l = this.where(e, n.left);
        const r = this.where(e, n.right);
        return { sql: `(${l.sql} ${n.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not': {
        const o = this.where(e, n.operand);
        return { sql: `(NOT ${o.sql})`, params: o.params };
      }
      case 'func': {
        const r = this.resolve(e, n.property);
        const v = String(n.value.value ?? '').replace(/[\\%_]/g, (c) => `\\${c}`);
        const pattern = n.name === 'contains' ? `%${v}%` : n.name === 'startswith' ? `${v}%` : `%${v}`;
        const cond = `${r.expr} LIKE ? ESCAPE '\\'`;
        return { sql: r.wrap ? r.wrap(cond) : cond, params: [pattern] };
      }
      case 'in': {
        const r = this.resolve(e, n.property);
        const vals = n.values.map((v) => this.literalValue(r.attr, v));
        // IN compares with the left operand's collation: NOCASE for text, as `eq` does (SQL Server's default collation),
        // which is also what lets SQLite use the key's `COLLATE NOCASE` index instead of scanning the table.
        const left = this.isText(r.attr) ? `${r.expr} COLLATE NOCASE` : r.expr;
        const cond = `${left} ${n.negate ? 'NOT IN' : 'IN'} (${vals.map(() => '?').join(', ')})`;
        return { sql: r.wrap ? r.wrap(cond) : cond, params: vals };
      }
      case 'cmp': {
        let left: Operand = n.left;
        let right: Operand = n.right;
        let op = n.op;
        if (left.kind === 'lit' && right.kind === 'prop') {
          [left, right] = [right, left];
          op = ({ gt: 'lt', lt: 'gt', ge: 'le', le: 'ge', eq: 'eq', ne: 'ne' } as const)[op];
        }
        if (left.kind !== 'prop' || right.kind !== 'lit') throw err.querySyntax('Comparisons need a property and a literal.');
        const r = this.resolve(e, left);
        const v = this.literalValue(r.attr, right);
        const coll = this.isText(r.attr) ? ' COLLATE NOCASE' : '';
        let cond: string;
        const params: unknown[] = [];
        if (v === null) cond = op === 'eq' ? `${r.expr} IS NULL` : op === 'ne' ? `${r.expr} IS NOT NULL` : '0';
        else {
          const sqlOp = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
          // FetchXML `ne` keeps rows whose column is null.
          cond = op === 'ne' ? `(${r.expr} <> ?${coll} OR ${r.expr} IS NULL)` : `${r.expr} ${sqlOp} ?${coll}`;
          params.push(v);
        }
        return { sql: r.wrap ? r.wrap(cond) : cond, params };
      }
    }
  }

  orderBy(e: EntityMeta, spec: string): string {
    const parts: string[] = [];
    for (const raw of spec.split(',')) {
      const [name, dir] = raw.trim().split(/\s+/);
      if (!name) continue;
      const d = (dir ?? 'asc').toLowerCase();
      if (d !== 'asc' && d !== 'desc') throw err.querySyntax(`Bad $orderby direction '${dir}'.`);
      const r = this.resolve(e, { kind: 'prop', path: [name] });
      if (r.wrap) throw new DataverseError(400, '0x0', 'Ordering by a navigation path is not supported.');
      parts.push(`${r.expr}${this.isText(r.attr) ? ' COLLATE NOCASE' : ''} ${d.toUpperCase()}`);
    }
    return parts.join(', ');
  }
}
