export * from './model';
export * from './schema';
export { readSolutionZip, SolutionFormatError, type ReadSolution } from './readSolutionZip';
