// HTML reports (plan, sample diff, run summary, the demo's report.html) in people's words. Every value from the
// source is escaped: Actionstep data is shown as text, never as markup. No script and no network: styles and
// charts (SVG) are inline, so the file opens anywhere, offline.
import type { MigrationPlan } from '../plan/migrationPlan';
import { ROLLBACK_WHY, type TimeEstimate } from '../plan/timeEstimate';
import { documentSpaceSentence } from '../plan/documentSpace';
import type { DiffEntry, DiffLabels } from '../diff/sample';
import type { RunSummary, SampleResult } from '../run/engine';
import type { WorkflowReference } from '../run/workflows';
import { fieldText, recordText, valueDisplay } from '../diff/display';
import { objectLabel, tableLabel } from '../vocabulary/objects';
import { findingLabel } from '../vocabulary/findingLabels';
import { licenceName, optionSentence, OWNER_OUTCOMES, PHASES } from '../vocabulary/options';
import { formatCount, formatDateTime, formatDuration, plural, type LocaleSettings } from '../vocabulary/format';
import { progressChart, svgToString, type TimePoint } from './charts';
import { outcomeChart, reasonsChart } from './runCharts';

export function escapeHtml(value: unknown): string {
  const s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escaped text whose long words (emails, addresses, ids) may break after @ . / _ - rather than mid-word. */
function breakable(value: unknown): string {
  return escapeHtml(value).replace(/\S{24,}/g, (w) => w.replace(/([@./_-])/g, '$1<wbr>'));
}

// Fits a 1366 px window: a bounded page width, tables at most as wide as the page, long values wrapping.
const STYLE = `body{font-family:Segoe UI,system-ui,sans-serif;margin:0 auto;padding:1.5rem 2rem;max-width:1240px;color:#201f1e;line-height:1.4}
table{border-collapse:collapse;margin:.75rem 0;font-size:13px;max-width:100%}th,td{border:1px solid #c8c6c4;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f3f2f1}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bad{color:#a4262c}.ok{color:#107c10}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #edebe9;padding-bottom:.2rem}h3{font-size:1.05rem;margin-top:1.2rem}
code{background:#f3f2f1;padding:0 3px}details{margin:.5rem 0}summary{cursor:pointer;color:#005a9e;font-weight:600}
.glance{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.glance div{border:1px solid #c8c6c4;border-radius:4px;padding:.5rem .9rem;min-width:9rem}
.glance b{display:block;font-size:1.4rem}nav ol{columns:2;max-width:40rem}.wide td{max-width:22rem}svg{display:block;margin:.5rem 0}`;

interface Column { header: string; numeric?: boolean }
type Cell = string | number | null | undefined;

/** Rows beyond this are folded under a summary line the reader opens. */
const FOLD_AFTER = 25;

function table(columns: Array<string | Column>, rows: Cell[][], o: { s?: LocaleSettings; caption?: string; fold?: string; className?: string } = {}): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const cell = (c: Cell, i: number) => cols[i]?.numeric && typeof c === 'number'
    ? `<td class="num">${escapeHtml(formatCount(c, o.s))}</td>`
    : `<td>${breakable(c ?? '')}</td>`;
  const html = `<table${o.className ? ` class="${o.className}"` : ''}>${o.caption ? `<caption>${escapeHtml(o.caption)}</caption>` : ''}<thead><tr>${cols.map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
  if (rows.length <= FOLD_AFTER) return html;
  return `<details><summary>${escapeHtml(o.fold ?? `Show all ${formatCount(rows.length, o.s)} rows`)}</summary>${html}</details>`;
}

const heading = (level: number, text: string, id?: string) => `<h${level}${id ? ` id="${id}"` : ''}>${escapeHtml(text)}</h${level}>`;

export interface PageOptions {
  /** Sections listed as a table of contents under the title. */
  contents?: Array<{ id: string; title: string }>;
  /** Opening paragraph(s) above the contents (already HTML). */
  lead?: string;
}

export function page(title: string, body: string, o: PageOptions = {}): string {
  const contents = o.contents?.length
    ? `<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>${o.contents.map((c) => `<li><a href="#${c.id}">${escapeHtml(c.title)}</a></li>`).join('')}</ol></nav>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${o.lead ?? ''}${contents}${body}</main></body></html>\n`;
}

/** A numbered section of the report, with an id the contents link to. */
export function section(id: string, title: string, body: string): string {
  return `<section aria-labelledby="${id}">${heading(2, title, id)}${body}</section>`;
}

interface HtmlOptions extends LocaleSettings {
  /** Heading level of the parts: 2 on a page of their own, 3 inside a report section. */
  level?: 2 | 3;
}

export function planHtml(plan: MigrationPlan, o: HtmlOptions = {}): string {
  const h = o.level ?? 2;
  const counts = Object.entries(plan.source.counts).map(([k, v]) => [objectLabel(k), v] as Cell[]);
  return [
    `<p>Read ${escapeHtml(formatDateTime(plan.generatedAt, o))}. Nothing was written to Dynamics during discovery.</p>`,
    plan.warnings.length ? `${heading(h, 'Warnings')}<ul>${plan.warnings.map((w) => `<li class="bad">${breakable(w)}</li>`).join('')}</ul>` : '',
    heading(h, 'What Actionstep holds'), table(['Actionstep object', { header: 'Records', numeric: true }], counts, { s: o }),
    `<p>${escapeHtml(plan.source.restrictedNote)}</p>`,
    plan.source.documentSpace ? `<p>${breakable(documentSpaceSentence(plan.source.documentSpace))}</p>` : '',
    heading(h, 'Options'), table(['Decision', 'Chosen', 'Recommended', 'Why'], plan.optionChoices.map((c) => [
      c.title, optionSentence(String(c.name), c.chosen), optionSentence(String(c.name), c.recommended), c.why,
    ]), { s: o }),
    heading(h, 'Licence and custom tables'), `<p>${escapeHtml(licenceName(plan.destination.licenseTier))}: ${escapeHtml(plan.tableBudget.message)}</p>`,
    heading(h, 'Matter types'), table(['Actionstep matter type', { header: 'Matters', numeric: true }, 'Matter Type in Dynamics', 'In Dynamics'], plan.matterTypes.map((t) => [t.name, t.matters, t.choiceLabel, t.added ? 'Added to the Matter Type choice' : 'Already in the Matter Type choice']), { s: o }),
    heading(h, 'Participant types (roles)'), table(['Actionstep participant type', { header: 'Links to matters', numeric: true }, { header: 'People', numeric: true }], plan.roles.map((r) => [r.name, r.links, r.people]), { s: o }),
    heading(h, 'Values of every list the mappings read'), table(['Actionstep field', 'Value', { header: 'Records', numeric: true }, 'Documented by Actionstep', 'What the migration does'],
      (plan.enums ?? []).flatMap((e) => e.values.map((v) => [e.label, v.value, v.count, v.documented ? 'Yes' : 'No: not in Actionstep\'s documented values', v.becomes])), { s: o }),
    heading(h, 'Data collection fields'), table(['Data collection', 'Field', 'Type', 'Dynamics table', 'Column', 'Note'], plan.dataCollectionColumns.map((c) => [
      c.collectionName, c.label, c.dataType, tableLabel(c.table, 1), c.columnType === 'json' ? `${c.collectionName} (records)` : `${c.collectionName}: ${c.label}`, c.note ?? '',
    ]), { s: o, fold: `Show all ${formatCount(plan.dataCollectionColumns.length, o)} data collection fields` }),
    heading(h, 'Users and record owners'), table(['Actionstep user', 'Email', 'Match', 'Dynamics user who owns their records'], plan.owners.map((u) => [
      u.displayName ?? `User ${u.actionstepUserId}`, u.email, OWNER_OUTCOMES[u.outcome] ?? u.outcome, u.systemUserName ?? 'The fallback owner',
    ]), { s: o }),
    heading(h, 'Estimates'), table(['Measure', { header: 'Value', numeric: true }], [
      ['Actionstep requests', plan.estimates.actionstepCalls], ['Minutes reading Actionstep', plan.estimates.actionstepMinutes],
      ['Dynamics requests', plan.estimates.dataverseRequests], ['Dynamics records', plan.estimates.dataverseRecords], ['Minutes writing to Dynamics', plan.estimates.dataverseMinutes],
    ], { s: o }),
    `<ul>${plan.estimates.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
    plan.time ? timeHtml(plan.time, h, o) : '',
  ].join('\n');
}

/** The plan's time section: each side's identities, their pace and share, the entitlement, the recommendation. */
function timeHtml(t: TimeEstimate, h: number, o: HtmlOptions): string {
  const a = t.actionstep;
  const d = t.dataverse;
  const minutes = (m: number) => `${m.toLocaleString(o.locale, { maximumFractionDigits: 1 })} min`;
  return [
    heading(h, 'How long it takes'),
    `<p>Discover to verify: about <b>${escapeHtml(minutes(t.totalMinutes))}</b> (${t.provision?.metadataWrites ? `changing the Dynamics schema ${escapeHtml(minutes(t.provision.minutes))}, ` : ''}reading Actionstep ${escapeHtml(minutes(a.extractMinutes))}${d.staging ? `, copying the staged records to Dynamics ${escapeHtml(minutes(d.staging.minutes))}` : ''}, downloading documents ${escapeHtml(minutes(a.documentMinutes))}, writing to Dynamics ${escapeHtml(minutes(d.loadMinutes))}, verifying ${escapeHtml(minutes(d.verifyMinutes))}).</p>`,
    table(['Actionstep sign-in', { header: 'Requests per second', numeric: true }, 'Where the pace comes from', { header: 'Answer time measured (ms)', numeric: true }], a.sessions.map((x) => [x.name, x.requestsPerSecond, x.basis, x.measuredAnswerMs]), { s: o }),
    `<p>${escapeHtml(formatCount(a.extractCalls + a.documentCalls, o))} Actionstep requests; at one request every 2 seconds per sign-in (the pace seen in production) they take ${escapeHtml(minutes(a.atProductionPaceMinutes))}.</p>`,
    table([{ header: 'Dynamics application users', numeric: true }, { header: 'Rows written', numeric: true }, { header: 'Requests', numeric: true }, { header: 'Rows per user', numeric: true }, { header: 'Server time per user (s)', numeric: true }],
      [[d.applicationUsers, d.records, d.requests, d.perUser.records, d.perUser.executionSeconds]], { s: o }),
    `<p>Daily request entitlement: ${escapeHtml(formatCount(t.entitlement.operations, o))} of ${escapeHtml(formatCount(t.entitlement.poolPer24h, o))} requests per 24 hours (${escapeHtml(plural(t.entitlement.licences, 'Dynamics licence', 'Dynamics licences', o))}) = <b>${escapeHtml(t.entitlement.days)} days</b>.</p>`,
    // Plans made before the rollback estimate have none.
    t.rollback ? `<p>Rolling the run back, if it comes to that: about <b>${escapeHtml(minutes(t.rollback.minutes))}</b> to delete the ${escapeHtml(formatCount(t.rollback.deletes, o))} rows it creates. ${escapeHtml(ROLLBACK_WHY)}</p>` : '',
    `<p><b>Recommendation</b> (goal: under ${escapeHtml(t.recommendation.targetMinutes)} minutes): ${escapeHtml(t.recommendation.message)}</p>`,
  ].join('\n');
}

export function diffHtml(diff: DiffEntry[], labels: DiffLabels | undefined, o: HtmlOptions & { limit?: number } = {}): string {
  const h = o.level ?? 2;
  const limit = o.limit ?? 5000;
  const mismatches = diff.filter((d) => d.status === 'mismatch');
  const empty = '(empty)';
  const shown = [...mismatches, ...diff.filter((d) => d.status === 'match')].slice(0, limit);
  return [
    `<p>${escapeHtml(plural(diff.length, 'field', 'fields', o))} compared; <span class="${mismatches.length ? 'bad' : 'ok'}">${escapeHtml(plural(mismatches.length, 'unexplained difference', 'unexplained differences', o))}</span>.</p>`,
    heading(h, 'Why values differ from the source'), svgToString(reasonsChart(diff, o)),
    heading(h, 'Every field compared'),
    `<p>Unexplained differences first. Values are shown as Dynamics shows them: dates in your time zone, choices and linked records by name.</p>`,
    table(['Dynamics table', 'Record', 'Field', 'In Actionstep', 'Expected', 'In Dynamics', 'Result', 'Why'], shown.map((d) => [
      tableLabel(d.table, 1), recordText(d, labels), fieldText(d, labels),
      valueDisplay(d, 'source', labels, o) ?? empty, valueDisplay(d, 'expected', labels, o) ?? empty, valueDisplay(d, 'actual', labels, o) ?? empty,
      d.status === 'match' ? 'Matches' : 'Unexplained difference', d.reason,
    ]), { s: o, className: 'wide', fold: `Show the ${formatCount(shown.length, o)} fields compared${shown.length < diff.length ? ` (the first ${formatCount(shown.length, o)} of ${formatCount(diff.length, o)})` : ''}` }),
  ].join('\n');
}

/** Skip reasons of one object, most frequent first, each with its count and a first example. */
function reasonList(reasons: Record<string, number>, examples: Record<string, string> | undefined, s: LocaleSettings): string {
  const list = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
  if (!list.length) return '';
  // The first record's own message says it best; the grouped wording (ids taken out) only when there is none.
  return list.map(([r, n]) => `${formatCount(n, s)}, ${examples?.[r] ? `for example ${examples[r]}` : r}`).join('; ');
}

export function summaryHtml(summary: RunSummary, o: HtmlOptions = {}): string {
  const h = o.level ?? 2;
  const failures = summary.objects.flatMap((x) => x.failedReasons.map((f) => [objectLabel(x.object, 1), f.id, f.message] as Cell[]));
  return [
    `<p>${escapeHtml(PHASES[summary.phase] ?? summary.phase)} ${escapeHtml(summary.runId)}, ${escapeHtml(formatDateTime(summary.startedOn, o))} to ${escapeHtml(formatDateTime(summary.completedOn, o))}. ${summary.reconciles ? '<span class="ok">Every extracted record is accounted for: migrated, skipped with a reason, or failed with a reason.</span>' : '<span class="bad">The counts do not reconcile.</span>'}</p>`,
    heading(h, 'Outcome per Actionstep object'), svgToString(outcomeChart(summary, o)),
    table(['Actionstep object', { header: 'Extracted', numeric: true }, { header: 'Migrated', numeric: true }, { header: 'Skipped', numeric: true }, { header: 'Failed', numeric: true }, 'Why skipped'],
      summary.objects.map((x) => [objectLabel(x.object), x.extracted, x.migrated, x.skipped, x.failed, reasonList(x.skippedReasons, x.skippedExamples, o)]), { s: o, className: 'wide' }),
    heading(h, 'Rows written per Dynamics table'), table(['Dynamics table', { header: 'Created', numeric: true }, { header: 'Updated', numeric: true }, { header: 'Unchanged', numeric: true }, { header: 'Failed', numeric: true }],
      summary.tables.map((t) => [tableLabel(t.table), t.created, t.updated, t.unchanged, t.failed]), { s: o }),
    heading(h, 'The mappings'), table(['Mapping', { header: 'Rows', numeric: true }], Object.entries(summary.mappings), { s: o }),
    ...(summary.notMigrated ?? []).map((n) => `<p class="bad">${escapeHtml(n.mapping)}: ${escapeHtml(n.reason)}. ${escapeHtml(n.whatToDo)}</p>`),
    summary.billing?.excludedEntries
      ? `<p>Billing totals count billed time only (the plan's choice): ${escapeHtml(plural(summary.billing.excludedEntries, 'time entry', 'time entries', o))} worth ${escapeHtml(summary.billing.excludedAmount.toFixed(2))} are left out; each matter says how much.</p>`
      : '',
    heading(h, 'Failed records'), failures.length
      ? table(['Actionstep object', 'Id', 'What went wrong'], failures, { s: o, fold: `Show the ${plural(failures.length, 'failed record', 'failed records', o)}` })
      : '<p>None.</p>',
    heading(h, "Noticed in Actionstep's records (every record, sample or not)"), (summary.findings ?? []).length
      ? table(['What was noticed', { header: 'Records', numeric: true }, 'Examples'], (summary.findings ?? []).map((f) => [
        `${findingLabel(f.rule)}${f.open ? ' (not resolved: the staged firm differs from Actionstep)' : ''}`, f.count, f.examples.slice(0, 5).map((e) => e.message).join(' | '),
      ]), { s: o })
      : '<p>Nothing: every record read as Actionstep listed it and every value converted.</p>',
  ].join('\n');
}

export function sampleHtml(sample: SampleResult, o: HtmlOptions = {}): string {
  const h = o.level ?? 2;
  return [
    `<p>${escapeHtml(plural(sample.rowCount, 'record'))} from ${escapeHtml(plural(sample.matterIds.length, 'matter'))}, covering the matter types ${escapeHtml(sample.coverage.matterTypes.join(', '))}; the roles ${escapeHtml(sample.coverage.roles.join(', '))}; and ${escapeHtml(plural(sample.coverage.timeEntries, 'time entry', 'time entries'))}.</p>`,
    heading(h, 'Rows the sample wrote'), table(['Dynamics table', { header: 'Created', numeric: true }, { header: 'Updated', numeric: true }, { header: 'Unchanged', numeric: true }, { header: 'Failed', numeric: true }],
      sample.tables.map((t) => [tableLabel(t.table), t.created, t.updated, t.unchanged, t.failed]), { s: o }),
    diffHtml(sample.diff, sample.labels, o),
  ].join('\n');
}

/** The progress of a long step over time, as a chart. */
export function progressHtml(title: string, points: TimePoint[], total: number, s: LocaleSettings = {}, id = 'progress'): string {
  return svgToString(progressChart({ id, title, points, total, format: (n) => formatCount(n, s) }));
}

export interface RunReport {
  title: string;
  summary: RunSummary;
  sample: SampleResult;
  plan: MigrationPlan;
  provisioningChanges: number;
  timings: Record<string, number>;
  /** Rows written over time during the full run. */
  runProgress?: { points: TimePoint[]; total: number };
  /** Where the other outputs are (names of files beside the report). */
  files?: string[];
}

/** The whole story of a migration on one page: a summary first, contents, pictures, then the details folded. */
export function reportHtml(r: RunReport, s: LocaleSettings = {}): string {
  const t = r.summary.totals;
  const o: HtmlOptions = { ...s, level: 3 };
  const totalSeconds = Object.values(r.timings).reduce((a, b) => a + b, 0);
  const glance = `<div class="glance">${[
    ['Extracted from Actionstep', t.extracted], ['Migrated', t.migrated], ['Skipped with a reason', t.skipped], ['Failed', t.failed],
    ['Sample fields compared', r.sample.diff.length], ['Unexplained differences', r.sample.mismatches],
  ].map(([k, v]) => `<div><b>${escapeHtml(formatCount(v as number, s))}</b>${escapeHtml(k)}</div>`).join('')}</div>`;
  const lead = [
    `<p>${r.summary.reconciles ? '<span class="ok">Every record is accounted for.</span>' : '<span class="bad">The counts do not reconcile.</span>'} ` +
      `${escapeHtml(plural(t.migrated, 'record'))} of ${escapeHtml(formatCount(t.extracted, s))} moved into Dynamics in ${escapeHtml(formatDuration(totalSeconds))}; ` +
      `${escapeHtml(plural(t.failed, 'record'))} failed${t.failed ? ' (listed under Failed records)' : ''}. The sample compared ${escapeHtml(plural(r.sample.diff.length, 'field'))} with ` +
      `${escapeHtml(plural(r.sample.mismatches, 'unexplained difference'))}.</p>`,
    glance,
  ].join('');
  const sections: Array<[string, string, string]> = [
    ['outcome', 'Outcome of the run', summaryHtml(r.summary, o)],
    ...(r.runProgress ? [['progress', 'Progress of the full run', progressHtml('Rows written to Dynamics over the full run', r.runProgress.points, r.runProgress.total, s)] as [string, string, string]] : []),
    ['plan', 'The plan', planHtml(r.plan, o) + `<p>Provisioning made ${escapeHtml(plural(r.provisioningChanges, 'change'))} to Dynamics (tables, columns, choices and keys).</p>`],
    ['sample', 'The sample and its field comparison', sampleHtml(r.sample, o)],
    ['timings', 'How long each step took', table(['Step', { header: 'Time', numeric: false }], Object.entries(r.timings).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), formatDuration(v)]), { s })],
    ...(r.files?.length ? [['files', 'Other files', `<ul>${r.files.map((f) => `<li><code>${escapeHtml(f)}</code></li>`).join('')}</ul>`] as [string, string, string]] : []),
  ];
  return page(r.title, sections.map(([id, title, body]) => section(id, title, body)).join('\n'), { lead, contents: sections.map(([id, title]) => ({ id, title })) });
}

export function workflowsHtml(ref: WorkflowReference): string {
  return ref.matterTypes.map((t) => [
    `<h2>${escapeHtml(t.name)}${t.disabled ? ' (disabled)' : ''}</h2><p>${escapeHtml(t.description ?? '')}</p>`,
    table(['Step', 'Name', 'Description', 'Closes the matter'], t.steps.map((s) => [s.number, s.name, s.description, s.closes ? 'yes' : ''])),
    table(['Recurring task', 'Step', 'Matters'], t.taskTemplates.map((x) => [x.name, x.step, x.matters])),
    ...t.dataCollections.map((d) => `<h3>${escapeHtml(d.label ?? d.name)}${d.multipleRecords ? ' (several records per matter)' : ''}</h3>` + table(['Field', 'Label', 'Type', 'Required'], d.fields.map((f) => [f.name, f.label, f.dataType, f.required ? 'yes' : '']))),
  ].join('\n')).join('\n') + '<h2>Participant types</h2>' + table(['Id', 'Name', 'Description', 'Links'], ref.participantTypes.map((p) => [p.id, p.name, p.description, p.links]));
}

