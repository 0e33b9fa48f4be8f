// Per-record findings grouped by rule: a count and examples that name the record, the field and the value, so a
// person sees what the run noticed without reading a log. The extraction adds wire values that did not parse and
// records that moved while it read; later work adds field-level problems to the same structure.
import type { Finding, FindingExample } from '../ports';

/** Examples kept per rule (the count keeps counting). */
export const MAX_EXAMPLES = 50;

export class FindingLog {
  private readonly byRule = new Map<string, Finding>();

  constructor(initial: Finding[] = []) {
    this.merge(initial);
  }

  add(rule: string, example: FindingExample, open = false): void {
    const f = this.byRule.get(rule) ?? { rule, count: 0, open: false, examples: [] };
    f.count++;
    f.open ||= open;
    if (f.examples.length < MAX_EXAMPLES) f.examples.push(example);
    this.byRule.set(rule, f);
  }

  merge(findings: Finding[]): void {
    for (const x of findings) {
      const f = this.byRule.get(x.rule) ?? { rule: x.rule, count: 0, open: false, examples: [] };
      f.count += x.count;
      f.open ||= x.open;
      f.examples.push(...x.examples.slice(0, Math.max(0, MAX_EXAMPLES - f.examples.length)));
      this.byRule.set(x.rule, f);
    }
  }

  get size(): number {
    return this.byRule.size;
  }

  list(): Finding[] {
    return [...this.byRule.values()];
  }
}
