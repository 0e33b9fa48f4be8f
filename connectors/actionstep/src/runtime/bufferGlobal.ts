// csv-parse (the trust ledger parser) uses the Node global `Buffer`, even at module load. In a browser bundle there is
// none: install the npm `buffer` package's Buffer as that global. browser.ts imports this module first, so it runs
// before csv-parse is evaluated. In Node it does nothing.
import { Buffer } from 'buffer';

const g = globalThis as { Buffer?: unknown };
if (typeof g.Buffer === 'undefined') g.Buffer = Buffer;

export {};
