// Web resources the solution itself references: the ribbon's library and the contact and account forms' on-load
// scripts. Their content is built by plugins-ts; the unpacked source records their metadata (and so the ribbon and
// the form events that call them), as SolutionPackager does for files it maps in from a build at pack time.
import type { WebResourceInput } from '../pack/inputs';

export const DECLARED_WEB_RESOURCES: Omit<WebResourceInput, 'content'>[] = [
  { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', type: 3 },
  { name: 'astep_/js/ContactForm.js', displayName: 'Contact Form (Actionstep)', type: 3 },
  { name: 'astep_/js/AccountForm.js', displayName: 'Account Form (Actionstep)', type: 3 },
];
