// "AI proposes the map; you confirm": a deterministic proposer. For each source field it scores every target column
// on name (tokens and synonyms), type compatibility, value-profile fit and length fit, then assigns each target
// column to at most one field, best pairs first. No outside service: the same input always gives the same proposal.
import type { SourceFieldProfile, SourceObjectProfile } from './fieldProfile';
import { nameSimilarity } from './nameSimilarity';
import type { TargetColumn, TargetTableColumns } from './targetColumns';

export interface ColumnCandidate {
  column: string;
  confidence: number;
}

export interface FieldProposal {
  sourceField: string;
  /** Proposed target column, or null when nothing fits well enough (the user maps it or leaves it out). */
  targetColumn: string | null;
  /** 0..1, rounded to two decimals. */
  confidence: number;
  /** Human-readable reasons for the score, in the order name, type, values, length. */
  reasons: string[];
  /** The next best columns, for the wizard's drop-down. */
  alternatives: ColumnCandidate[];
  /** The migration's own mapping writes this field to targetColumn (not a guess: editing it changes what is written). */
  declared?: boolean;
}

/** A field the migration already maps to a column (from the table's declaration). */
export interface DeclaredPair {
  sourceField: string;
  column: string;
  reason: string;
}

export interface ObjectProposal {
  object: string;
  table: string;
  fields: FieldProposal[];
}

export interface ProposeMapOptions {
  /** Below this a field is left unmapped (default 0.45). */
  minConfidence?: number;
  /** How many alternatives to list (default 3). */
  alternatives?: number;
  /** Fields the migration maps already: proposed as declared, and their columns offered to no other field. */
  declared?: readonly DeclaredPair[];
  /** Columns the migration computes itself: never proposed for a source field. */
  computed?: readonly string[];
}

interface Scored {
  column: TargetColumn;
  confidence: number;
  reasons: string[];
}

const WEIGHTS = { name: 0.55, type: 0.2, profile: 0.15, length: 0.1 };

/** Type compatibility 0..1 of a source type with a column type, and why. */
function typeFit(field: SourceFieldProfile, column: TargetColumn): { score: number; reason: string } {
  const t = field.inferredType;
  const c = column.type;
  const ok = (score: number, reason: string) => ({ score, reason });
  if (t === 'empty') return ok(0.5, 'type unknown: the field is empty in every sample record');
  switch (c) {
    case 'string': case 'memo':
      return t === 'string' ? ok(1, `text fits a ${c} column`) : ok(0.7, `${t} values would be stored as text`);
    case 'integer':
      return t === 'integer' ? ok(1, 'whole numbers fit a whole-number column') : t === 'decimal' ? ok(0.3, 'decimal values would lose their fraction') : ok(0, `${t} values do not fit a whole-number column`);
    case 'decimal': case 'money':
      if (t === 'integer' || t === 'decimal') return ok(1, `numbers fit a ${c} column`);
      return field.looksLike.money >= 0.8 ? ok(0.8, `money-formatted text converts to a ${c} column`) : ok(0, `${t} values do not fit a ${c} column`);
    case 'boolean':
      return t === 'boolean' ? ok(1, 'true/false values fit a two-options column') : field.distinctCount <= 2 && t !== 'string' ? ok(0.5, 'two distinct values could map to two options') : ok(0, `${t} values do not fit a two-options column`);
    case 'datetime':
      if (t === 'date' || t === 'datetime') return ok(1, `${t} values fit a date column`);
      return field.looksLike.date >= 0.8 ? ok(0.7, 'date-like text converts to a date column') : ok(0, `${t} values do not fit a date column`);
    case 'picklist': case 'multiselectpicklist':
      // A choice column takes a small set of labels; provisioning adds the firm's values.
      return t === 'string' || t === 'integer' ? (field.distinctCount <= 50 ? ok(0.8, `${field.distinctCount} distinct values become choice options`) : ok(0.2, `${field.distinctCount} distinct values are too many for a choice`)) : ok(0, `${t} values do not fit a choice column`);
    case 'lookup':
      return ok(0, 'lookups are bound through relationships, not field copies');
  }
}

/** How well the values look like what the column holds (email, phone, URL, money, date). */
function profileFit(field: SourceFieldProfile, column: TargetColumn): { score: number; reason: string } {
  const l = field.looksLike;
  const kinds: Array<[keyof typeof l, boolean]> = [
    ['email', column.format === 'email'],
    ['phone', column.format === 'phone'],
    ['url', column.format === 'url'],
    ['money', column.type === 'money'],
    ['date', column.type === 'datetime'],
  ];
  for (const [kind, wanted] of kinds) {
    if (wanted && l[kind] >= 0.6) return { score: 1, reason: `${Math.round(l[kind] * 100)}% of sample values look like ${kind === 'email' ? 'an email address' : kind === 'url' ? 'a URL' : `a ${kind}`}` };
    if (wanted && field.inferredType !== 'empty') return { score: 0.2, reason: `the column expects ${kind} values, but only ${Math.round(l[kind] * 100)}% of sample values look like one` };
  }
  for (const [kind, wanted] of kinds) {
    if (!wanted && (kind === 'email' || kind === 'url' || kind === 'phone') && l[kind] >= 0.8 && column.type !== 'memo') {
      return { score: 0.3, reason: `values look like ${kind} but the column is not a ${kind} column` };
    }
  }
  return { score: 0.7, reason: 'no value pattern for or against' };
}

function lengthFit(field: SourceFieldProfile, column: TargetColumn): { score: number; reason: string } | null {
  if ((column.type !== 'string' && column.type !== 'memo') || !column.maxLength) return null;
  if (field.maxLength <= column.maxLength) return { score: 1, reason: `longest sample value (${field.maxLength} chars) fits max length ${column.maxLength}` };
  return { score: 0, reason: `longest sample value (${field.maxLength} chars) exceeds max length ${column.maxLength}: values would be cut` };
}

function score(field: SourceFieldProfile, column: TargetColumn): Scored {
  const name = nameSimilarity(field.name, column.logicalName, column.displayName);
  const type = typeFit(field, column);
  const profile = profileFit(field, column);
  const length = lengthFit(field, column);
  const weighted = WEIGHTS.name * name.score + WEIGHTS.type * type.score + WEIGHTS.profile * profile.score + WEIGHTS.length * (length ? length.score : 1);
  // An incompatible type or a name with nothing in common caps the score: values alone never make a mapping.
  let confidence = weighted;
  if (type.score === 0) confidence = Math.min(confidence, 0.2);
  if (name.score === 0) confidence = Math.min(confidence, profile.score === 1 ? 0.5 : 0.3);
  const reasons = [name.reason, type.reason, profile.reason, ...(length ? [length.reason] : [])];
  return { column, confidence: Math.round(confidence * 100) / 100, reasons };
}

/** Proposes a target column for every source field of one object. */
export function proposeMap(source: SourceObjectProfile, target: TargetTableColumns, options: ProposeMapOptions = {}): ObjectProposal {
  const minConfidence = options.minConfidence ?? 0.45;
  const declared = new Map((options.declared ?? []).map((d) => [d.sourceField, d] as const));
  const unavailable = new Set([...(options.computed ?? []), ...[...declared.values()].map((d) => d.column)]);
  const columns = target.columns.filter((c) => !c.systemOnly && c.type !== 'lookup' && !unavailable.has(c.logicalName));
  const scored = new Map<string, Scored[]>();
  const pairs: Array<{ field: SourceFieldProfile; s: Scored }> = [];
  for (const field of source.fields) {
    const list = columns.map((c) => score(field, c)).sort((a, b) => b.confidence - a.confidence || a.column.logicalName.localeCompare(b.column.logicalName));
    scored.set(field.name, list);
    // A declared field keeps its column; the others are its alternatives in the drop-down.
    if (field.nullShare < 1 && !declared.has(field.name)) for (const s of list) if (s.confidence >= minConfidence) pairs.push({ field, s });
  }
  // Best pairs first; ties broken by names so the result never depends on input order.
  pairs.sort((a, b) => b.s.confidence - a.s.confidence || a.field.name.localeCompare(b.field.name) || a.s.column.logicalName.localeCompare(b.s.column.logicalName));
  const taken = new Map<string, string>();
  const chosen = new Map<string, Scored>();
  for (const { field, s } of pairs) {
    if (chosen.has(field.name) || taken.has(s.column.logicalName)) continue;
    chosen.set(field.name, s);
    taken.set(s.column.logicalName, field.name);
  }
  const alternativesCount = options.alternatives ?? 3;
  const fields = source.fields.map((field): FieldProposal => {
    const list = scored.get(field.name) ?? [];
    const pick = chosen.get(field.name);
    const alternatives = list.filter((s) => s !== pick && s.confidence > 0.2).slice(0, alternativesCount).map((s) => ({ column: s.column.logicalName, confidence: s.confidence }));
    const fixed = declared.get(field.name);
    if (fixed) return { sourceField: field.name, targetColumn: fixed.column, confidence: 1, reasons: [fixed.reason], alternatives, declared: true };
    if (pick) return { sourceField: field.name, targetColumn: pick.column.logicalName, confidence: pick.confidence, reasons: pick.reasons, alternatives };
    const best = list[0];
    let why: string;
    if (field.nullShare >= 1) why = 'empty in every sample record: nothing to migrate';
    else if (!best || best.confidence < minConfidence) why = best ? `no column fits well enough (best: ${best.column.logicalName} at ${best.confidence})` : 'the table has no candidate columns';
    else why = `its best column ${best.column.logicalName} went to ${taken.get(best.column.logicalName)}, which fits it better`;
    return { sourceField: field.name, targetColumn: null, confidence: 0, reasons: [why], alternatives };
  });
  return { object: source.object, table: target.table, fields };
}

export interface ObjectToMap {
  source: SourceObjectProfile;
  target: TargetTableColumns;
}

/** One proposal per object (each object maps to its own table; columns are never shared across objects). */
export function proposeMaps(objects: readonly ObjectToMap[], options: ProposeMapOptions = {}): ObjectProposal[] {
  return objects.map((o) => proposeMap(o.source, o.target, options));
}
