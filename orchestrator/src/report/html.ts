// HTML reports (plan, sample diff, run summary). Every value from the source is escaped: Actionstep data is shown as
// text, never as markup.
import type { MigrationPlan } from '../plan/migrationPlan';
import type { DiffEntry } from '../diff/sample';
import type { RunSummary, SampleResult } from '../run/engine';
import type { WorkflowReference } from '../run/workflows';

export function escapeHtml(value: unknown): string {
  const s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `body{font-family:Segoe UI,system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}.bad{color:#a80000}.ok{color:#107c10}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}code{background:#f5f5f5;padding:0 3px}`;

function table(headers: string[], rows: unknown[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
}

export function planHtml(plan: MigrationPlan): string {
  return [
    `<p>Generated ${escapeHtml(plan.generatedAt)}. Nothing was written to Dataverse during discovery.</p>`,
    plan.warnings.length ? `<h2>Warnings</h2><ul>${plan.warnings.map((w) => `<li class="bad">${escapeHtml(w)}</li>`).join('')}</ul>` : '',
    '<h2>Source counts</h2>', table(['Resource', 'Records'], Object.entries(plan.source.counts)),
    `<p>${escapeHtml(plan.source.restrictedNote)}</p>`,
    '<h2>Options</h2>', table(['Option', 'Recommended', 'Chosen', 'Alternatives', 'Why'], plan.optionChoices.map((o) => [o.title, o.recommended, o.chosen, o.alternatives, o.why])),
    '<h2>Licence and table budget</h2>', `<p>${escapeHtml(plan.destination.licenseTier)}: ${escapeHtml(plan.tableBudget.message)}</p>`,
    '<h2>Matter types</h2>', table(['Actionstep type', 'Matters', 'Matter Type', 'Choice value', 'New value'], plan.matterTypes.map((t) => [t.name, t.matters, t.choiceLabel, t.choiceValue, t.added ? 'added' : 'base set'])),
    '<h2>Roles</h2>', table(['Participant type', 'Links', 'People', 'Choice value'], plan.roles.map((r) => [r.name, r.links, r.people, r.choiceValue])),
    '<h2>Values of every list the mappings read</h2>',
    table(['Field', 'Value', 'Records', 'Documented by Actionstep', 'What the run does'], (plan.enums ?? []).flatMap((e) => e.values.map((v) => [e.label, v.value, v.count, v.documented ? 'yes' : 'NO', v.becomes]))),
    '<h2>Data collection fields</h2>', table(['Collection', 'Field', 'Type', 'Column', 'Note'], plan.dataCollectionColumns.map((c) => [c.collectionName, c.fieldName, c.dataType, `${c.table}.${c.column}`, c.note ?? ''])),
    '<h2>Users and owners</h2>', table(['Actionstep user', 'Email', 'Match', 'Dynamics user'], plan.owners.map((o) => [o.displayName ?? o.actionstepUserId, o.email, o.outcome, o.systemUserName ?? '(fallback owner)'])),
    '<h2>Estimates</h2>', table(['Measure', 'Value'], Object.entries(plan.estimates).filter(([k]) => k !== 'notes')),
    `<ul>${plan.estimates.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
  ].join('\n');
}

function diffHtml(diff: DiffEntry[], limit = 5000): string {
  const mismatches = diff.filter((d) => d.status === 'mismatch');
  const reasons = new Map<string, number>();
  for (const d of diff) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
  return [
    `<p>${diff.length} fields compared; <span class="${mismatches.length ? 'bad' : 'ok'}">${mismatches.length} unexplained differences</span>.</p>`,
    '<h2>Why values differ from the source</h2>', table(['Reason', 'Fields'], [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 50)),
    '<h2>Fields</h2>', table(['Table', 'Key', 'Column', 'Source', 'Expected', 'Actual', 'Status', 'Reason'], [...mismatches, ...diff.filter((d) => d.status === 'match')].slice(0, limit).map((d) => [d.table, d.key, d.column, d.source, d.expected, d.actual, d.status, d.reason])),
  ].join('\n');
}

export function summaryHtml(summary: RunSummary): string {
  return [
    `<p>Run ${escapeHtml(summary.runId)} (${escapeHtml(summary.phase)}), ${escapeHtml(summary.startedOn)} → ${escapeHtml(summary.completedOn)}. Counts ${summary.reconciles ? '<span class="ok">reconcile</span>' : '<span class="bad">DO NOT reconcile</span>'}.</p>`,
    '<h2>Per object</h2>', table(['Object', 'Extracted', 'Migrated', 'Skipped', 'Failed', 'Skip reasons'], summary.objects.map((o) => [o.object, o.extracted, o.migrated, o.skipped, o.failed, Object.entries(o.skippedReasons).map(([r, n]) => `${n}× ${r}`).join('; ')])),
    '<h2>Per table</h2>', table(['Table', 'Created', 'Updated', 'Unchanged', 'Failed'], summary.tables.map((t) => [t.table, t.created, t.updated, t.unchanged, t.failed])),
    '<h2>The 13 mappings</h2>', table(['Mapping', 'Records'], Object.entries(summary.mappings)),
    ...(summary.notMigrated ?? []).map((n) => `<p class="bad">${escapeHtml(n.mapping)}: ${escapeHtml(n.reason)}. ${escapeHtml(n.whatToDo)}</p>`),
    summary.billing?.excludedEntries
      ? `<p>Billing totals count billed time only (the plan's choice): ${summary.billing.excludedEntries} time entries worth ${summary.billing.excludedAmount.toFixed(2)} are left out; each matter says how much.</p>`
      : '',
    '<h2>Failures</h2>', table(['Object', 'Id', 'Message'], summary.objects.flatMap((o) => o.failedReasons.map((f) => [o.object, f.id, f.message]))),
    '<h2>Findings</h2>', table(['Rule', 'Records', 'Examples'], (summary.findings ?? []).map((f) => [`${f.rule}${f.open ? ' (not resolved)' : ''}`, f.count, f.examples.slice(0, 5).map((e) => e.message).join(' | ')])),
  ].join('\n');
}

export function sampleHtml(sample: SampleResult): string {
  return [
    `<p>${sample.rowCount} records from ${sample.matterIds.length} matters; matter types: ${escapeHtml(sample.coverage.matterTypes.join(', '))}; roles: ${escapeHtml(sample.coverage.roles.join(', '))}; ${sample.coverage.timeEntries} time entries.</p>`,
    table(['Table', 'Created', 'Updated', 'Unchanged', 'Failed'], sample.tables.map((t) => [t.table, t.created, t.updated, t.unchanged, t.failed])),
    diffHtml(sample.diff),
  ].join('\n');
}

export function workflowsHtml(ref: WorkflowReference): string {
  return ref.matterTypes.map((t) => [
    `<h2>${escapeHtml(t.name)}${t.disabled ? ' (disabled)' : ''}</h2><p>${escapeHtml(t.description ?? '')}</p>`,
    table(['Step', 'Name', 'Description', 'Closes the matter'], t.steps.map((s) => [s.number, s.name, s.description, s.closes ? 'yes' : ''])),
    table(['Recurring task', 'Step', 'Matters'], t.taskTemplates.map((x) => [x.name, x.step, x.matters])),
    ...t.dataCollections.map((d) => `<h3>${escapeHtml(d.label ?? d.name)}${d.multipleRecords ? ' (several records per matter)' : ''}</h3>` + table(['Field', 'Label', 'Type', 'Required'], d.fields.map((f) => [f.name, f.label, f.dataType, f.required ? 'yes' : '']))),
  ].join('\n')).join('\n') + '<h2>Participant types</h2>' + table(['Id', 'Name', 'Description', 'Links'], ref.participantTypes.map((p) => [p.id, p.name, p.description, p.links]));
}
