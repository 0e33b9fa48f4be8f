// astep-migrate: the one command line (SPEC section 8). Progress goes to stderr; `--json` prints one JSON document
// on stdout. Exit codes: 0 success, 1 unexpected error, 2 usage/configuration/state error or a question not
// confirmed, 3 records failed (and not accepted) or differences found, 130 interrupted.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { CREDENTIAL_ERROR_CODE, DataverseError } from '@astep/dataverse-connector';
import {
  EngineError, adoptRunFromDataverse, documentSpaceSentence, documentSpaceWarning, formatCount, formatDateTime, notMigrated as notMigratedOf, licenceName, mirrorStaging, objectLabel, optionSentence, planHtml, page, plural, sampleHtml, summaryHtml, tableLabel, tableRecordName, sourceRecordName, withRunLease, workflowsHtml,
  type FieldDecision, type LeaseHolder, type RunState, type RunSummary,
} from '@astep/orchestrator';
import { ConfigError, loadConfig, redactConfig, scrubSecrets, type MigrationConfig } from './config';
import { createProgress, type CliProgress } from './progress';
import { colorsFor } from './colors';
import { confirmStep, isRealOrg, NotConfirmedError } from './confirm';
import { openSession, type Session } from './session';
import { StateLockedError } from './state/stateLock';
import { ensurePrivateFile, privateDir, writePrivateFile } from './state/privateFiles';
import { ROLE_NAME } from '@astep/solution/ui/role';
import { DEFAULT_CLOCK_SCALE, startEmulators, type FirmSize } from './emulate';
import { runDemo } from './demo';
import { formatFindings, formatSummary, migrationOverrides, nextCommand, textTable } from './format';

/** Dataverse's "principal user is missing prv... privilege" (403). */
const MISSING_PRIVILEGE = '0x80040220';
const ROLLBACK_WORDS: Record<string, string> = { deleted: 'deleted', restored: 'restored', reopened: 're-opened', already: 'already undone', conflict: 'changed since the run (left alone)', failed: 'failed' };
const EXIT = { ok: 0, unexpected: 1, usage: 2, failedRecords: 3, interrupted: 130 } as const;
let knownSecrets: string[] = [];
/** Where the configuration names its Dataverse application users, for messages about them. */
let applicationUsersField = 'dataverse.clientId';

interface StepFlags {
  config: string;
  run?: string;
  json?: boolean;
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
  acceptFailures?: boolean;
  approvedBy?: string;
  out?: string;
  trustLedger?: string;
  signInAgain?: boolean;
}

function out(flags: { json?: boolean }, value: unknown, human: () => string) {
  if (flags.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else process.stdout.write(human() + '\n');
}

/** What the step is called on screen while it works ("Reading Actionstep"). */
const STEP_LABELS: Record<string, [string, string]> = {
  discover: ['Reading the plan', ''], provision: ['Creating tables and columns', 'changes'], extract: ['Reading Actionstep', 'records'],
  sample: ['Running the sample', 'rows'], approve: ['Recording the approval', ''], run: ['Running the migration', 'rows'],
  delta: ['Picking up changes', 'records'], verify: ['Verifying', ''], rollback: ['Rolling back', 'changes'], 'export-workflows': ['Writing the workflow reference', ''],
};

async function withSession<T>(name: string, flags: StepFlags, fn: (s: Session, config: MigrationConfig, progress: CliProgress) => Promise<T>, o: { adopt?: boolean } = {}): Promise<T> {
  const config = loadConfig(flags.config);
  privateDir(config.stateDir);
  // Internal names and every task go to the log in the state folder; the screen gets one bar or line per step.
  const logFile = path.join(config.stateDir, 'astep-migrate.log');
  ensurePrivateFile(logFile);
  const progress = createProgress({ logFile });
  const session = await openSession(config, progress, { command: name, trustLedgerFile: flags.trustLedger && path.resolve(flags.trustLedger), outDir: flags.out && path.resolve(flags.out), signInAgain: flags.signInAgain });
  knownSecrets = session.secrets;
  applicationUsersField = config.dataverse.applicationUsers ? 'dataverse.applicationUsers' : 'dataverse.clientId';
  const [label, what] = STEP_LABELS[name] ?? [name, ''];
  try {
    // A run this state folder does not know, named with --run, may have been staged by the Mapping Wizard in
    // Dataverse: adopt it (run row, staged rows, audit) and continue it here.
    if (o.adopt && flags.run && !session.store.getRun(flags.run)) {
      try {
        await adoptRunFromDataverse(session.sink, session.store, flags.run, progress);
      } catch (e) {
        throw new EngineError(`no run ${flags.run} in the state store, and it cannot be continued from Dataverse: ${(e as Error).message}`);
      }
    }
    progress.beginStep(label);
    let stopped = true;
    try {
      const result = await fn(session, config, progress);
      stopped = false;
      return result;
    } finally {
      progress.endStep(what, stopped);
    }
  } finally {
    session.close();
  }
}

/** The command line's lease identity: one per host and state folder (the folder's lock already makes it one process). */
function leaseHolder(command: string, config: MigrationConfig): LeaseHolder {
  const host = os.hostname();
  const folder = createHash('sha256').update(path.resolve(config.stateDir)).digest('hex').slice(0, 16);
  return { id: `cli:${host}:${folder}`, name: `astep-migrate ${command} (${os.userInfo().username}@${host}, state folder ${config.stateDir})` };
}

/** Steps that write to Dataverse hold the run's lease while they do (the wizard takes the same lease). */
function leased<T>(command: string, s: Session, config: MigrationConfig, runId: string | undefined, fn: () => Promise<T>): Promise<T> {
  const run = s.engine.requireRun(runId);
  return withRunLease(s.sink, run.runId, leaseHolder(command, config), fn, { log: (m) => process.stderr.write(`${m}\n`) });
}

/** Asks before a step changes a real organisation (not the emulators), unless --yes. */
async function confirmAgainstOrg(config: MigrationConfig, flags: StepFlags, question: string): Promise<void> {
  if (isRealOrg(config.dataverse.webApiUrl)) await confirmStep(question, { yes: flags.yes });
}

const colors = () => colorsFor(process.stdout);
const next = (step: string, flags: StepFlags, why?: string) => nextCommand(step, flags.config, why, colors());

/** Ids of records that had already failed before this step (a delta reports only its new failures as failures). */
function failedIds(run: RunState | null): Set<string> {
  const summary = run?.summary as RunSummary | null | undefined;
  return new Set((summary?.objects ?? []).flatMap((o) => o.failedReasons.map((f) => `${o.object}:${f.id}`)));
}

function outDir(config: MigrationConfig, flags: StepFlags): string {
  return privateDir(flags.out ?? config.outDir ?? path.join(config.stateDir, 'out'));
}

function writeReport(dir: string, name: string, json: unknown, html?: string) {
  writePrivateFile(path.join(dir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
  if (html) writePrivateFile(path.join(dir, `${name}.html`), html);
}

const stepOptions = (cmd: Command) =>
  cmd
    .requiredOption('--config <file>', 'configuration file (astep-migrate emulate writes one)')
    .option('--run <id>', 'run id (default: the latest run)')
    .option('--json', 'print one JSON document on stdout')
    .option('--yes', 'answer yes to the question asked before run, rollback and a delta that deletes, against a real organisation')
    .option('--sign-in-again', 'sign in to Actionstep again instead of using the stored sign-in (after its passphrase changed, or as another user)');

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('astep-migrate')
    .description('Moves a law firm from Actionstep into Dynamics 365 Sales: discover, provision, extract, sample, approve, run, delta, verify, rollback.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('emulate')
    .description('Start both emulators on 127.0.0.1, write a ready config file, print {"actionstep","dataverse","config"} and serve until stopped')
    .option('--firm <size>', 'tiny | demo | medium | large | xl', parseFirm, 'demo' as FirmSize)
    .option('--seed <n>', 'generator seed', parseInteger, 1)
    .option('--faults <rate>', 'injected fault rate on both APIs (0..0.5)', parseRate, 0)
    .option('--limits <mode>', 'production | off (Dataverse service protection limits)', parseLimits, 'production')
    .option('--actionstep-port <p>', 'Actionstep emulator port', parseInteger)
    .option('--dataverse-port <p>', 'Dataverse emulator port', parseInteger)
    .option('--state-dir <dir>', 'where the config, the engine state and emulator files go (default: a new folder per start)')
    .option('--clock-scale <x>', CLOCK_SCALE_HELP, parseClockScale, DEFAULT_CLOCK_SCALE)
    .option('--app-users <n>', 'Dataverse application users to register and list in the config (requests are spread across them)', parseAppUsers, 1)
    .option('--actionstep-sessions <n>', 'Actionstep users to sign in and list in the config (each has its own rate limit; extraction is spread across them)', parseSessions, 1)
    .action(async (o) => {
      // A fresh folder per start unless one is named: a second `emulate` must never meet the first one's token file
      // (bound to the first emulator's port) or its state.
      const stateDir = o.stateDir ? path.resolve(o.stateDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'astep-emulate-'));
      const emulators = await startEmulators({
        firm: o.firm, seed: o.seed, faults: o.faults, limits: o.limits, actionstepPort: o.actionstepPort, dataversePort: o.dataversePort, stateDir,
        clockScale: o.clockScale, appUsers: o.appUsers, actionstepSessions: o.actionstepSessions,
      });
      process.stdout.write(JSON.stringify({ actionstep: emulators.actionstep.url, dataverse: emulators.dataverse.url, config: emulators.configPath }) + '\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await emulators.close();
    });

  stepOptions(program.command('discover').description('Inventory both sides (writes nothing to Dataverse) and write the Data Migration Plan (HTML + JSON)'))
    .action(async (flags: StepFlags) => withSession('discover', flags, async (s, config) => {
      const plan = await s.engine.discover(flags.run, config.dataverse.licenseTier ?? 'SalesEnterprise', migrationOverrides(config));
      const dir = outDir(config, flags);
      writeReport(dir, 'plan', plan, page('Data Migration Plan', planHtml(plan)));
      const run = s.engine.requireRun();
      const c = colors();
      out(flags, { runId: run.runId, plan }, () => [
        `Run ${run.runId}: the plan is in ${path.join(dir, 'plan.html')}`,
        `Licence: ${licenceName(plan.destination.licenseTier)}. ${plan.tableBudget.message}`,
        ...plan.optionChoices.map((o) => `  ${o.title}: ${optionSentence(String(o.name), o.chosen)}`),
        // The files' disk space; when they will not fit, the warning below says it with what to do.
        ...(plan.source.documentSpace && !documentSpaceWarning(plan.source.documentSpace) ? [documentSpaceSentence(plan.source.documentSpace)] : []),
        ...plan.warnings.map((w) => `${c.yellow('Warning:')} ${w}`),
        '', next('provision', flags, plan.tableBudget.fits ? 'after reading the plan' : 'the plan is over the custom table budget: change the options or the licence first'),
      ].join('\n'));
    }));

  stepOptions(program.command('provision').description('Create the tables, columns, keys and choices the plan needs; waits until keys are active'))
    .option('--dry-run', 'list what would change, change nothing')
    .option('--force', 'provision even when the plan is over the licence tier\'s custom table budget')
    .action(async (flags: StepFlags) => withSession('provision', flags, async (s, _config, progress) => {
      const changes = await s.engine.provision(flags.run, !!flags.dryRun, { force: flags.force });
      for (const c of changes) progress.detail(`provision: ${c}`);
      out(flags, { changes }, () => {
        if (!changes.length) return `Nothing to change: Dynamics already has everything the plan needs.\n${next('extract', flags)}`;
        // A dry run is a list to read; a real one is summed up (each change is in the log).
        if (flags.dryRun) return `${plural(changes.length, 'change')} would be made:\n${changes.map((c) => `  ${c}`).join('\n')}`;
        const kinds = new Map<string, number>();
        for (const c of changes) { const k = c.split(' ').slice(0, 2).join(' '); kinds.set(k, (kinds.get(k) ?? 0) + 1); }
        return `${plural(changes.length, 'change')} made: ${[...kinds].map(([k, n]) => `${k.toLowerCase()} ×${n}`).join(', ')} (each one is in the log).\n${next('extract', flags)}`;
      });
    }));

  stepOptions(program.command('extract').description('Page through Actionstep and stage every record (resumable), and the trust ledger export the firm gives; the staging is mirrored to astep_stagingrow so the Mapping Wizard can continue the run'))
    .option('--trust-ledger <file>', 'the Trust Account Ledgers report exported from Actionstep (CSV or .xlsx); default: actionstep.trustLedgerFile')
    .action(async (flags: StepFlags) => withSession('extract', flags, async (s, _config, progress) => {
      const counts = await s.engine.extract(flags.run);
      const runId = s.engine.requireRun(flags.run).runId;
      // The notes' files, kept in the state folder for the run: a step of its own on screen (it can be the longest).
      progress.endStep('records');
      progress.beginStep('Downloading documents');
      const documents = await s.engine.keepDocumentFiles(runId);
      progress.endStep('files');
      progress.beginStep('Copying the staged records to Dynamics');
      const trustLedger = s.engine.trustLedgerStatus(flags.run);
      const notMigrated = notMigratedOf(trustLedger);
      // The run row first (staged rows point at it, and the wizard reads the plan from it), then the staged rows.
      await s.engine.mirror(runId);
      const mirrored = await mirrorStaging(s.sink, s.store, runId, s.progress);
      // What each sign-in did: every one should carry a share (each has its own rate limit).
      const sessions = s.source.sessions().map((x) => ({ name: x.name, answered: x.pace().answered, throttled: x.pace().throttled }));
      out(flags, { runId, counts, documents, actionstepRequests: s.source.requestCount(), sessions, stagedInDataverse: mirrored, trustLedger, notMigrated, findings: s.engine.extractionFindings(flags.run) }, () => [
        ...textTable(['Actionstep object', 'Records'], [...Object.entries(counts).map(([k, v]) => [objectLabel(k), v]), ['Total', Object.values(counts).reduce((a, b) => a + b, 0)]], colors()),
        ...(sessions.length > 1 ? ['', ...sessions.map((x) => `${x.name}: ${x.answered} requests answered, ${x.throttled} refused (429)`)] : []),
        ...notMigrated.map((n) => `\n${colors().red(n.mapping)}: ${n.reason}.\n  ${n.whatToDo}`),
        '', next('sample', flags),
      ].join('\n'));
    }));

  stepOptions(program.command('sample').description('Migrate 100–300 representative records and write the field-level diff (HTML + JSON)'))
    .action(async (flags: StepFlags) => withSession('sample', flags, async (s, config) => {
      const sample = await leased('sample', s, config, flags.run, () => s.engine.sample(flags.run));
      const dir = outDir(config, flags);
      writeReport(dir, 'sample-diff', sample, page('Sample field comparison', sampleHtml(sample, { timeZone: config.migration?.timeZone })));
      out(flags, sample, () => [
        `${plural(sample.rowCount, 'record')} sampled from ${plural(sample.matterIds.length, 'matter')}; ${plural(sample.diff.length, 'field')} compared, ${plural(sample.mismatches, 'unexplained difference')}.`,
        `Review: ${path.join(dir, 'sample-diff.html')}`,
        '', next('approve', flags, 'once the comparison reads right; --corrections FILE for fields to correct or leave out'),
      ].join('\n'));
    }, { adopt: true }));

  stepOptions(program.command('approve').description("Record the admin's approval of the sample (and corrections)"))
    .option('--approved-by <name>', 'who approves', os.userInfo().username)
    .option('--corrections <file>', 'JSON {"decisions":[{"table","column","action":"accept|correct|exclude","correction"}]} from the sample review')
    .action(async (flags: StepFlags & { corrections?: string }) => withSession('approve', flags, async (s) => {
      let corrections: { decisions?: FieldDecision[] } | null = null;
      if (flags.corrections) {
        try {
          corrections = JSON.parse(fs.readFileSync(flags.corrections, 'utf8'));
        } catch (e) {
          throw new ConfigError(`cannot read the corrections file ${flags.corrections}: ${(e as Error).message}`);
        }
      }
      const run = await s.engine.approve(flags.run, flags.approvedBy ?? 'unknown', corrections);
      out(flags, run.approval, () => `Run ${run.runId}: the sample is approved by ${run.approval?.approvedBy}.\n${next('run', flags)}`);
    }, { adopt: true }));

  stepOptions(program.command('run').description('Full upsert keyed on astep_sourceid, every write audited; resumable'))
    .option('--force', 'run without an approved sample')
    .option('--accept-failures', 'exit 0 even when records failed (they are listed)')
    .action(async (flags: StepFlags) => withSession('run', flags, async (s, config) => {
      await confirmAgainstOrg(config, flags, `Migrate every staged record into ${new URL(config.dataverse.webApiUrl).host}?`);
      const summary = await leased('run', s, config, flags.run, () => s.engine.run(flags.run, { force: flags.force }));
      const dir = outDir(config, flags);
      writeReport(dir, 'run-summary', summary, page('Migration run', summaryHtml(summary, { timeZone: config.migration?.timeZone })));
      const failed = summary.totals.failed > 0 && !flags.acceptFailures;
      out(flags, summary, () => [
        formatSummary(summary, { colors: colors() }), '',
        `Report: ${path.join(dir, 'run-summary.html')}${summary.totals.failed ? ' (every failed record is listed there)' : ''}`,
        failed
          ? next('run', flags, `fix the data in Actionstep and run again (only what failed or changed is written), or add --accept-failures to accept the ${plural(summary.totals.failed, 'failed record')}`)
          : next('verify', flags),
      ].join('\n'));
      if (failed) process.exitCode = EXIT.failedRecords;
    }, { adopt: true }));

  stepOptions(program.command('export-workflows').description('Write the workflow reference document (action types, steps, participant types, data collections)'))
    .action(async (flags: StepFlags) => withSession('export-workflows', flags, async (s, config) => {
      const ref = await s.engine.exportWorkflows(flags.run);
      const dir = outDir(config, flags);
      writeReport(dir, 'workflows', ref, page('Actionstep workflow reference', workflowsHtml(ref)));
      out(flags, ref, () => `Workflow reference written to ${path.join(dir, 'workflows.html')} (${plural(ref.matterTypes.length, 'matter type')}).`);
    }, { adopt: true }));

  stepOptions(program.command('delta').description('Pick up what changed in Actionstep since extraction began (modified filters, rescans), upsert it, report deletions'))
    .option('--accept-failures', 'exit 0 even when records failed (they are listed)')
    .option('--trust-ledger <file>', 'a newer trust ledger export to compare with the staged one; default: actionstep.trustLedgerFile')
    .action(async (flags: StepFlags) => withSession('delta', flags, async (s, config) => {
      const before = failedIds(s.engine.requireRun(flags.run));
      const result = await leased('delta', s, config, flags.run, () => s.engine.delta(flags.run, {
        confirmDeletions: async (gone) => {
          await confirmAgainstOrg(config, flags, `Delete ${plural(gone.length, 'record')} from Dynamics that ${gone.length === 1 ? 'was' : 'were'} deleted in Actionstep?`);
          return true;
        },
      }));
      const runId = result.summary.runId;
      // Staging mirrored to Dataverse (by extract) follows the delta, so the wizard continues from the same records.
      if (s.store.getCheckpoint(`mirror-staging:${runId}:actions`)) {
        const applied = result.deletions.applied > 0;
        await mirrorStaging(s.sink, s.store, runId, s.progress, result.scan.resources.map((r) => ({
          resource: r.resource,
          upserted: [...r.added, ...r.changed],
          removed: r.resource === 'trustledger' || (applied && r.resource !== 'actions') ? r.deleted : [],
        })));
      }
      const dir = outDir(config, flags);
      writeReport(dir, 'delta', result, page('Changes since extraction', summaryHtml(result.summary, { timeZone: config.migration?.timeZone })));
      const changed = result.scan.resources.filter((r) => r.added.length + r.changed.length + r.deleted.length > 0);
      // Failures the run already reported are not news: only records that fail now for the first time count.
      const fresh = result.summary.objects.flatMap((o) => o.failedReasons.filter((f) => !before.has(`${o.object}:${f.id}`)).map((f) => `${sourceRecordName(o.object, f.id)}: ${f.message}`));
      out(flags, { ...result, newFailures: fresh }, () => [
        changed.length
          ? textTable(['Actionstep object', 'New', 'Changed', 'Deleted'], changed.map((r) => [objectLabel(r.resource), r.added.length, r.changed.length, r.deleted.length]), colors()).join('\n')
          : `Nothing changed in Actionstep since ${formatDateTime(result.scan.since, { timeZone: config.migration?.timeZone })}.`,
        result.deletions.reported ? `${plural(result.deletions.reported, 'record')} deleted in Actionstep; ${result.deletions.applied} deleted from Dynamics${result.deletions.applied ? '' : ' (the plan reports deletions and deletes nothing)'}.` : '',
        fresh.length ? `${colors().red('Failed')} for the first time:\n${fresh.slice(0, 20).map((f) => `  ${f}`).join('\n')}` : '',
        `Report: ${path.join(dir, 'delta.html')}`,
        next(fresh.length && !flags.acceptFailures ? 'delta' : 'verify', flags, fresh.length && !flags.acceptFailures ? 'fix the data in Actionstep, or add --accept-failures' : undefined),
      ].filter(Boolean).join('\n'));
      if (fresh.length && !flags.acceptFailures) process.exitCode = EXIT.failedRecords;
    }, { adopt: true }));

  stepOptions(program.command('verify').description('Reconcile source and Dataverse: counts and field checksums per table, every difference with its reason'))
    .action(async (flags: StepFlags) => withSession('verify', flags, async (s, config) => {
      const result = await s.engine.verify(flags.run);
      writeReport(outDir(config, flags), 'verify', result);
      const c = colors();
      out(flags, result, () => [
        ...textTable(['Dynamics table', 'Expected', 'Found', 'Missing', 'Differing', 'Checksum'], result.tables.map((t) => [
          tableLabel(t.table), t.expectedRows, t.foundRows, t.missingRows, t.differingRows, t.expectedChecksum === t.actualChecksum ? 'equal' : 'differs',
        ]), c),
        ...result.differences.filter((d) => !d.explained).slice(0, 50).map((d) => `  ${tableRecordName(d.table, d.key)}, ${d.column ?? 'the row'}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}: ${d.reason}`),
        ...formatFindings(result.extraction.findings, 3, c),
        result.ok ? c.green('Verified: every expected value is in Dynamics and the counts reconcile.')
          : c.red(`${plural(result.unexplained, 'unexplained difference')}${result.extraction.open ? `; ${plural(result.extraction.open, 'record')} where the staged firm differs from Actionstep (see what was noticed above)` : ''}.`),
        result.ok ? '' : next('run', flags, 'writes the expected values again; a difference someone made on purpose is theirs to keep'),
      ].filter(Boolean).join('\n'));
      if (!result.ok) process.exitCode = EXIT.failedRecords;
    }, { adopt: true }));

  stepOptions(program.command('rollback').description('Undo a run from its audit: delete what it created, restore what it updated; report records changed since'))
    .option('--force', 'roll back records that were changed after the run, too')
    .action(async (flags: StepFlags) => withSession('rollback', flags, async (s, config) => {
      await confirmAgainstOrg(config, flags, `Undo run ${s.engine.requireRun(flags.run).runId} in ${new URL(config.dataverse.webApiUrl).host}: delete what it created and restore what it updated?`);
      const result = await leased('rollback', s, config, flags.run, () => s.engine.rollback(flags.run, { force: flags.force }));
      out(flags, result, () => [
        `Rollback of ${result.runId}: ${Object.entries(result.counts).map(([k, v]) => `${v} ${ROLLBACK_WORDS[k] ?? k}`).join(', ')}; ${formatCount(result.dataverseRequests)} requests to Dynamics`,
        ...result.items.filter((i) => i.action === 'conflict' || i.action === 'failed').map((i) => `  ${i.action}: ${i.message}`),
        result.complete ? 'The run is rolled back.' : `Not complete: see the conflicts and failures above. To roll the conflicts back too (losing those changes): astep-migrate rollback --run ${result.runId} --force`,
      ].join('\n'));
      if (!result.complete) process.exitCode = EXIT.failedRecords;
    }, { adopt: true }));

  program
    .command('demo')
    .description('Start both emulators, generate a firm, run every step with the sample approved automatically, print a summary and write out/report.html')
    .option('--firm <size>', 'tiny | demo | medium', parseFirm, 'demo' as FirmSize)
    .option('--seed <n>', 'generator seed', parseInteger, 1)
    .option('--faults <rate>', 'injected fault rate on both APIs', parseRate, 0)
    .option('--rollback', 'also roll the run back and compare with the pre-run snapshot')
    .option('--json', 'print one JSON document on stdout')
    .option('--out <dir>', 'report folder', 'out')
    .option('--clock-scale <x>', CLOCK_SCALE_HELP, parseClockScale, DEFAULT_CLOCK_SCALE)
    .option('--app-users <n>', 'Dataverse application users the run spreads its requests across', parseAppUsers, 1)
    .action(async (o) => {
      const result = await runDemo({ firm: o.firm, seed: o.seed, faults: o.faults, json: !!o.json, outDir: path.resolve(o.out), rollback: !!o.rollback, clockScale: o.clockScale, appUsers: o.appUsers });
      if (o.json) process.stdout.write(JSON.stringify(result.json, null, 2) + '\n');
      process.exitCode = result.ok ? EXIT.ok : EXIT.failedRecords;
    });

  program
    .command('config-check')
    .description('Validate a configuration file and print it with secrets redacted')
    .requiredOption('--config <file>', 'configuration file')
    .action((flags: { config: string }) => {
      process.stdout.write(JSON.stringify(redactConfig(loadConfig(flags.config)), null, 2) + '\n');
    });
  return program;
}

function parseInteger(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}
const CLOCK_SCALE_HELP =
  'Dataverse emulator clock: virtual seconds per real second (60: a 300 s service-protection window lasts 5 s and the limits rarely bind; 1: real time; at 5 or less the limits bind under bulk loads)';
function parseClockScale(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) throw new InvalidArgumentError('expected a number above 0, at most 1000');
  return n;
}
function parseAppUsers(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('expected a whole number from 1 to 16');
  return n;
}
function parseSessions(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new InvalidArgumentError('expected a whole number from 1 to 8');
  return n;
}
function parseRate(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 0.5) throw new InvalidArgumentError('expected a rate from 0 to 0.5');
  return n;
}
function parseFirm(v: string): FirmSize {
  if (!['tiny', 'demo', 'medium', 'large', 'xl'].includes(v)) throw new InvalidArgumentError('expected tiny, demo, medium, large or xl');
  return v as FirmSize;
}
function parseLimits(v: string): 'production' | 'off' {
  if (v !== 'production' && v !== 'off') throw new InvalidArgumentError('expected production or off');
  return v;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exitCode = EXIT.ok;
      return;
    }
    if (err.code?.startsWith('commander.')) {
      process.exitCode = EXIT.usage;
      return;
    }
    const message = scrubSecrets(err.message ?? String(e), knownSecrets);
    if (err.code === MISSING_PRIVILEGE) {
      // The app user's security roles, not the data: an admin's fix, so a configuration problem.
      process.stderr.write(`astep-migrate: Dataverse refused the application user of ${applicationUsersField}: ${message} `
        + `An administrator must give it the "${ROLE_NAME}" role (and System Customizer to provision tables).\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    // An application user that cannot sign in is a configuration matter (its secret, certificate or registration).
    const signIn = e instanceof DataverseError && e.code === CREDENTIAL_ERROR_CODE;
    if (e instanceof NotConfirmedError) {
      process.stderr.write(`astep-migrate: ${message}\n`);
      process.exitCode = EXIT.usage;
    } else if (e instanceof EngineError || e instanceof ConfigError || e instanceof StateLockedError || signIn) {
      process.stderr.write(`astep-migrate: ${message}\n`);
      process.exitCode = e instanceof EngineError ? e.exitCode : EXIT.usage;
    } else {
      process.stderr.write(`astep-migrate: unexpected error: ${message}\n`);
      if (process.env.ASTEP_DEBUG) process.stderr.write(scrubSecrets(err.stack ?? '', knownSecrets) + '\n');
      process.exitCode = EXIT.unexpected;
    }
  }
}

if (require.main === module) void main(process.argv);
