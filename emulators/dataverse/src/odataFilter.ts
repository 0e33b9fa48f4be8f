// OData v4 `$filter` and key-predicate parsing, the subset Dataverse clients use: eq/ne/gt/ge/lt/le, and/or/not,
// parentheses, contains/startswith/endswith, Microsoft.Dynamics.CRM.In / NotIn, null, GUID / date / number literals,
// lookup properties as `_x_value` and single-valued navigation paths (`sdkmessageid/name`). Pure: no metadata here.

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'datetime' | 'date';
export interface Literal {
  kind: 'lit';
  type: LiteralType;
  value: string | number | boolean | null;
}
export interface PropertyRef {
  kind: 'prop';
  path: string[];
}
export type Operand = Literal | PropertyRef;
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'cmp'; op: ComparisonOp; left: Operand; right: Operand }
  | { kind: 'func'; name: 'contains' | 'startswith' | 'endswith'; property: PropertyRef; value: Literal }
  | { kind: 'in'; negate: boolean; property: PropertyRef; values: Literal[] };

export class ODataSyntaxError extends Error {}

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'punct'; v: string };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?$/;

export function isGuid(s: string): boolean {
  return GUID_RE.test(s);
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new ODataSyntaxError('Unterminated string literal.');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += input[i++];
      }
      out.push({ t: 'str', v });
      continue;
    }
    if ('(),[]='.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && /[A-Za-z0-9_.\-:+/$@]/.test(input[j])) j++;
    if (j === i) throw new ODataSyntaxError(`Unexpected character '${c}' at position ${i}.`);
    out.push({ t: 'word', v: input.slice(i, j) });
    i = j;
  }
  return out;
}

export function wordLiteral(w: string): Literal | undefined {
  if (w === 'null') return { kind: 'lit', type: 'null', value: null };
  if (w === 'true' || w === 'false') return { kind: 'lit', type: 'boolean', value: w === 'true' };
  if (GUID_RE.test(w)) return { kind: 'lit', type: 'guid', value: w.toLowerCase() };
  if (DATETIME_RE.test(w)) return { kind: 'lit', type: 'datetime', value: w };
  if (DATE_RE.test(w)) return { kind: 'lit', type: 'date', value: w };
  if (NUMBER_RE.test(w)) return { kind: 'lit', type: 'number', value: Number(w.replace(/[mMdDfFlL]$/, '')) };
  return undefined;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}
  private peek(): Token | undefined {
    return this.toks[this.i];
  }
  private next(): Token {
    const t = this.toks[this.i++];
    if (!t) throw new ODataSyntaxError('Unexpected end of expression.');
    return t;
  }
  private expectPunct(v: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== v) throw new ODataSyntaxError(`Expected '${v}'.`);
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return !!t && t.t === 'word' && t.v === v;
  }
  parse(): FilterNode {
    const n = this.or();
    if (this.i < this.toks.length) throw new ODataSyntaxError(`Unexpected token '${this.toks[this.i].v}'.`);
    return n;
  }
  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }
  private unary(): FilterNode {
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    return this.comparison();
  }
  private comparison(): FilterNode {
    const t = this.peek();
    if (t && t.t === 'punct' && t.v === '(') {
      this.i++;
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    if (t && t.t === 'word') {
      const nx = this.toks[this.i + 1];
      if (nx && nx.t === 'punct' && nx.v === '(') return this.func();
    }
    const left = this.operand();
    const opTok = this.next();
    if (opTok.t !== 'word' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(opTok.v)) {
      throw new ODataSyntaxError(`Expected a comparison operator, found '${opTok.v}'.`);
    }
    const right = this.operand();
    return { kind: 'cmp', op: opTok.v as ComparisonOp, left, right };
  }
  private operand(): Operand {
    const t = this.next();
    if (t.t === 'str') return { kind: 'lit', type: 'string', value: t.v };
    if (t.t === 'word') {
      const lit = wordLiteral(t.v);
      if (lit) return lit;
      if (/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/.test(t.v)) return { kind: 'prop', path: t.v.split('/') };
    }
    throw new ODataSyntaxError(`Unexpected token '${t.v}'.`);
  }
  private literal(): Literal {
    const o = this.operand();
    if (o.kind !== 'lit') throw new ODataSyntaxError('Expected a literal value.');
    return o;
  }
  private func(): FilterNode {
    const name = (this.next() as { v: string }).v;
    this.expectPunct('(');
    const lname = name.toLowerCase();
    if (lname === 'contains' || lname === 'startswith' || lname === 'endswith') {
      const p = this.operand();
      if (p.kind !== 'prop') throw new ODataSyntaxError(`${name} expects a property first.`);
      this.expectPunct(',');
      const v = this.literal();
      this.expectPunct(')');
      return { kind: 'func', name: lname, property: p, value: v };
    }
    if (name === 'Microsoft.Dynamics.CRM.In' || name === 'Microsoft.Dynamics.CRM.NotIn') {
      const args: Record<string, Literal | Literal[]> = {};
      for (;;) {
        const k = this.next();
        if (k.t !== 'word') throw new ODataSyntaxError('Expected a parameter name.');
        this.expectPunct('=');
        const t = this.peek();
        if (t && t.t === 'punct' && t.v === '[') {
          this.i++;
          const vals: Literal[] = [];
          while (!(this.peek()?.t === 'punct' && this.peek()?.v === ']')) {
            vals.push(this.literal());
            if (this.peek()?.t === 'punct' && this.peek()?.v === ',') this.i++;
          }
          this.i++;
          args[k.v] = vals;
        } else args[k.v] = this.literal();
        const sep = this.next();
        if (sep.t === 'punct' && sep.v === ')') break;
        if (!(sep.t === 'punct' && sep.v === ',')) throw new ODataSyntaxError("Expected ',' or ')'.");
      }
      const pn = args.PropertyName;
      const pv = args.PropertyValues;
      if (!pn || Array.isArray(pn) || typeof pn.value !== 'string' || !Array.isArray(pv)) {
        throw new ODataSyntaxError(`${name} needs PropertyName='x' and PropertyValues=[...].`);
      }
      return { kind: 'in', negate: name.endsWith('NotIn'), property: { kind: 'prop', path: pn.value.split('/') }, values: pv };
    }
    throw new ODataSyntaxError(`Unknown function '${name}'.`);
  }
}

export function parseFilter(input: string): FilterNode {
  return new Parser(tokenize(input)).parse();
}

/** A key predicate `(guid)` or `(a='x',b=2)`: returns the GUID or the named parts. Strings use OData `''` escaping. */
export type KeyPredicate = { kind: 'id'; id: string } | { kind: 'alternate'; parts: Array<{ name: string; value: Literal }> } | { kind: 'ref'; ref: string };

export function parseKeyPredicate(inner: string): KeyPredicate {
  const trimmed = inner.trim();
  if (GUID_RE.test(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  const toks = tokenize(trimmed);
  const parts: Array<{ name: string; value: Literal }> = [];
  let i = 0;
  while (i < toks.length) {
    const name = toks[i++];
    const eq = toks[i++];
    const val = toks[i++];
    if (!name || name.t !== 'word' || !eq || eq.v !== '=' || !val) throw new ODataSyntaxError('Bad key predicate.');
    let lit: Literal | undefined;
    if (val.t === 'str') lit = { kind: 'lit', type: 'string', value: val.v };
    else if (val.t === 'word') lit = wordLiteral(val.v);
    if (!lit) throw new ODataSyntaxError('Bad key value.');
    parts.push({ name: name.v, value: lit });
    const sep = toks[i];
    if (sep) {
      if (sep.v !== ',') throw new ODataSyntaxError('Bad key predicate.');
      i++;
    }
  }
  if (parts.length === 0) throw new ODataSyntaxError('Empty key predicate.');
  return { kind: 'alternate', parts };
}

/** Splits `set(key)/rest` into its segments, keeping parentheses (which may hold quoted `/`) intact. */
export function splitPath(path: string): Array<{ name: string; key?: string }> {
  const segs: Array<{ name: string; key?: string }> = [];
  let i = 0;
  while (i < path.length) {
    let name = '';
    while (i < path.length && path[i] !== '(' && path[i] !== '/') name += path[i++];
    let key: string | undefined;
    if (path[i] === '(') {
      i++;
      let depth = 1;
      let inStr = false;
      let k = '';
      while (i < path.length) {
        const c = path[i];
        if (inStr) {
          if (c === "'") {
            if (path[i + 1] === "'") {
              k += "''";
              i += 2;
              continue;
            }
            inStr = false;
          }
        } else if (c === "'") inStr = true;
        else if (c === '(') depth++;
        else if (c === ')') {
          depth--;
          if (depth === 0) break;
        }
        k += c;
        i++;
      }
      if (depth !== 0) throw new ODataSyntaxError('Unbalanced parentheses in the URL.');
      i++;
      key = k;
    }
    segs.push({ name, key });
    if (path[i] === '/') i++;
  }
  return segs;
}
