// The custom-table budget of a plan against the licence tier (reference dataverse.md section 9): Dynamics 365 Sales
// Professional users may use up to 15 custom tables; Enterprise and Premium have no such cap.
import type { SolutionSchema } from './model';

export type SalesTier = 'SalesProfessional' | 'SalesEnterprise' | 'SalesPremium';

export const CUSTOM_TABLE_LIMIT: Record<SalesTier, number | null> = {
  SalesProfessional: 15,
  SalesEnterprise: null,
  SalesPremium: null,
};

/** Licence names as Microsoft writes them (the orchestrator's vocabulary re-exports these). */
export const LICENCE_NAMES: Record<SalesTier, string> = {
  SalesProfessional: 'Dynamics 365 Sales Professional',
  SalesEnterprise: 'Dynamics 365 Sales Enterprise',
  SalesPremium: 'Dynamics 365 Sales Premium',
};

export interface TableBudget {
  /** Logical names of the custom tables the plan needs. */
  needed: string[];
  /** needed.length + existingCustomTables. */
  count: number;
  limit: number | null;
  remaining: number | null;
  fits: boolean;
  message: string;
}

/** The schema's custom tables (the plan provisions every one) plus those already in the environment, against the tier. */
export function tableBudget(schema: SolutionSchema, tier: SalesTier, existingCustomTables = 0): TableBudget {
  if (!Number.isInteger(existingCustomTables) || existingCustomTables < 0) {
    throw new Error(`existingCustomTables must be a whole number >= 0, got ${existingCustomTables}`);
  }
  const limit = CUSTOM_TABLE_LIMIT[tier];
  if (limit === undefined) throw new Error(`Unknown licence tier "${String(tier)}" (SalesProfessional, SalesEnterprise or SalesPremium)`);
  const needed = schema.tables.filter((t) => t.isCustom).map((t) => t.logicalName);
  const count = needed.length + existingCustomTables;
  const existing = existingCustomTables ? ` plus ${existingCustomTables} already in the environment` : '';
  if (limit === null) {
    return { needed, count, limit, remaining: null, fits: true, message: `${needed.length} custom tables${existing}; ${LICENCE_NAMES[tier]} has no custom table limit.` };
  }
  const remaining = limit - count;
  const fits = remaining >= 0;
  const message = fits
    ? `${needed.length} custom tables${existing} = ${count} of the ${limit} allowed with ${LICENCE_NAMES[tier]}; ${remaining} left.`
    : `${needed.length} custom tables${existing} = ${count}, over the ${limit} allowed with ${LICENCE_NAMES[tier]} by ${-remaining}: ` +
      `license ${LICENCE_NAMES.SalesEnterprise} or ${LICENCE_NAMES.SalesPremium}, or remove custom tables the environment no longer uses.`;
  return { needed, count, limit, remaining, fits, message };
}
