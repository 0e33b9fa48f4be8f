// Deterministic randomness: every record is derived from (seed, stream tag, index) so any record can be produced on
// its own, in any order, with flat memory. Never Math.random.

// Module-level aliases: global lookups are slow inside jest's vm contexts, and this is the hot path of every record.
const imul = Math.imul;
const floor = Math.floor;

/** 32-bit string/number hash (FNV-1a over the parts, then a murmur3 finalizer). */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Integers are mixed directly (no string conversion: this is the hot path of every record).
      h = imul(h ^ (part >>> 0), 0x01000193);
      h = imul(h ^ floor(part / 4294967296), 0x01000193);
      h ^= h >>> 15;
    } else {
      for (let i = 0; i < part.length; i++) {
        h ^= part.charCodeAt(i);
        h = imul(h, 0x01000193);
      }
    }
    h ^= 0x1f; // part separator so ("ab","c") differs from ("a","bc")
    h = imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for synthetic data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  static for(seed: number, tag: string, index: number, sub: number | string = 0): Rng {
    return new Rng(hash32(seed, tag, index, sub));
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }
  /** Money-like value with 2 decimals. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
}
