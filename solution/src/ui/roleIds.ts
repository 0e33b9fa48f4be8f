// The administrator role's name and id, and the privilege that marks who may start and roll back runs: in a module
// with no XML builder behind it, so browser code (the command-bar script and its ribbon rule) can import it.
export const ROLE_NAME = 'Actionstep Migration Administrator';
/**
 * The role's id in the solution (the root business unit's copy keeps it): the packer's stableGuid('role:
 * astep_migrationadministrator'), written out so browser code needs no hashing at load (solution/test/ui.test.ts
 * checks the two agree).
 */
export const ROLE_ID = 'fd9c4639-8ac3-5874-90da-fba11cf2b52b';
/**
 * Delete on Migration Run at organisation depth: only the shipped role grants it (System Administrators hold every
 * privilege). Whoever holds it, directly or through a team, may start and roll back runs.
 */
export const MANAGE_RUNS_PRIVILEGE = 'prvDeleteastep_MigrationRun';
