// Web resources the solution itself references: the ribbon's library, the contact and account forms' on-load
// scripts, and the Mapping Wizard's sign-in pages (the Entra redirect URI and where the Actionstep consent ends).
// Their content is built by plugins-ts; the unpacked source records their metadata (and so the ribbon and the form
// events that call them), as SolutionPackager does for files it maps in from a build at pack time.
import type { WebResourceInput } from '../pack/inputs';

export const DECLARED_WEB_RESOURCES: Omit<WebResourceInput, 'content'>[] = [
  { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', type: 3 },
  { name: 'astep_/js/ContactForm.js', displayName: 'Contact Form (Actionstep)', type: 3 },
  { name: 'astep_/js/AccountForm.js', displayName: 'Account Form (Actionstep)', type: 3 },
  { name: 'astep_/js/SignInRedirect.js', displayName: 'Mapping Wizard sign-in (script)', type: 3 },
  { name: 'astep_/html/SignInRedirect.html', displayName: 'Mapping Wizard sign-in', type: 1 },
  { name: 'astep_/html/ConnectionSignedIn.html', displayName: 'Actionstep connection signed in', type: 1 },
];
