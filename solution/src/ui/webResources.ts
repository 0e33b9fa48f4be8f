// Web resources the solution itself references (the ribbon's library). Their content is built by plugins-ts; the
// unpacked source records their metadata, as SolutionPackager does for files it maps in from a build at pack time.
import type { WebResourceInput } from '../pack/inputs';

export const DECLARED_WEB_RESOURCES: Omit<WebResourceInput, 'content'>[] = [
  { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', type: 3 },
];
