// The Prefer request header: return=representation, odata.include-annotations, odata.maxpagesize,
// odata.continue-on-error.
import type { Annotations } from './recordService';

/** Splits a Prefer header on commas outside double quotes. */
function preferences(h: string | undefined): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const c of h ?? '') {
    if (c === '"') q = !q;
    if (c === ',' && !q) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `odata.include-annotations` value → predicate over annotation terms ("*", "Namespace.*", names, "-exclusions"). */
export function annotationFilter(value: string): Annotations {
  const terms = value.replace(/^"|"$/g, '').split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) return false;
  const match = (pattern: string, term: string) => pattern === '*' || pattern === term || (pattern.endsWith('.*') && term.startsWith(pattern.slice(0, -1)));
  return (term: string) => terms.some((t) => !t.startsWith('-') && match(t, term)) && !terms.some((t) => t.startsWith('-') && match(t.slice(1), term));
}

export function preferOf(h: string | undefined) {
  const p = preferences(h);
  const maxPage = p.map((x) => /^odata\.maxpagesize=(\d+)$/.exec(x)).find(Boolean);
  const ann = p.map((x) => /^odata\.include-annotations=(.*)$/.exec(x)).find(Boolean);
  return {
    representation: p.includes('return=representation'),
    annotations: ann ? annotationFilter(ann[1]) : (false as Annotations),
    annotationsValue: ann?.[1],
    maxPageSize: maxPage ? Number(maxPage[1]) : undefined,
    continueOnError: p.includes('odata.continue-on-error'),
  };
}

