// Browser-safe entry: the schema, the table budget and the zip reader. The packer (Node only: fs, crypto) is
// imported from '@astep/solution/pack/packSolution' and '@astep/solution/pack/buildSolution'.
export * from './model';
export * from './schema';
export * from './platformColumns';
export { readSolutionZip, SolutionFormatError, type ReadSolution } from './readSolutionZip';
export { tableBudget, CUSTOM_TABLE_LIMIT, type SalesTier, type TableBudget } from './tableBudget';
