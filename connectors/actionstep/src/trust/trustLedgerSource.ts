// The engine's trust ledger port over a file the firm gives: the command line reads it from disk, the wizard downloads
// it from the Migration Run row. Either way the bytes are read here with the one parser.
import type { TrustLedgerPort } from '@astep/orchestrator/ports';
import type { ParsedTrustLedger } from '../records';
import { parseTrustLedgerFile, type TrustLedgerFile } from './trustLedgerFile';

export class TrustLedgerFileSource implements TrustLedgerPort {
  /** `load` returns the file, or null when none is given; `where` says where it is looked for. */
  constructor(readonly where: string, private readonly load: () => Promise<TrustLedgerFile | null>) {}

  async read(): Promise<ParsedTrustLedger | null> {
    const file = await this.load();
    return file ? parseTrustLedgerFile(file) : null;
  }
}
