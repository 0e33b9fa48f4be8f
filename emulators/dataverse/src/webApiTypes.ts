// Shapes shared by the Web API dispatcher, the $batch executor and the bulk actions.
import type { WebResult } from './metadataApi';

export interface WebRequest {
  method: string;
  /** Path below /api/data/v9.2/ (still percent-encoded). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface WebOutcome extends WebResult {
  /** Execution time charged to the caller (virtual ms). */
  costMs: number;
  kind: string;
  /** Records written (counted when the outcome succeeds). */
  records: number;
}

export function parseQuery(raw: string): URLSearchParams {
  // Form-style decoding keeps OData's literal '+' only when clients encode it as %2B (they do).
  return new URLSearchParams(raw);
}
