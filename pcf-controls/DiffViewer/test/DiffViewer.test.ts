/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { formatDateTime } from '@astep/orchestrator/vocabulary/format';
import { findInternalNames } from '@astep/orchestrator/vocabulary/internalNames';
import { DiffViewerApp } from '../DiffViewer/components/DiffViewerApp';
import { EMPTY_REVIEW } from '../DiffViewer/diffDocument';
import { createComponent, diffDocument, entry, installResizeObserverStub, RESX } from '../DiffViewer/__mocks__/mockContext';
import { STRING_KEYS } from '../DiffViewer/strings/keys';
import type { DiffDocument, ReviewDecisions } from '../DiffViewer/Component.types';

installResizeObserverStub();

const SAMPLE = diffDocument([
  entry({ table: 'contact', key: 'P-1', column: 'emailaddress1', source: 'ann@firm.example', expected: 'ann@firm.example', actual: 'ann@firm.example', status: 'match', reason: 'copied' }),
  entry({ table: 'contact', key: 'P-2', column: 'lastname', source: 'Bloggs', expected: 'Bloggs', actual: 'BLOGGS', status: 'mismatch', reason: 'copied' }),
  entry({ table: 'account', key: 'P-3', column: 'name', source: '<b>Acme</b><img src=x onerror="window.__pwned=1">', expected: '<b>Acme</b>', actual: '<b>Acme</b>', status: 'match', reason: 'converted' }),
  entry({ table: 'astep_matter', key: '7', column: 'astep_openedon', source: '2024-03-01T09:00:00+10:00', expected: '2024-02-29T23:00:00Z', actual: null, status: 'mismatch', reason: "converted to UTC from the firm's time" }),
  entry({ table: 'contact', key: 'P-1', column: '_parentcustomerid_value', source: null, expected: 'a1', actual: 'a1', status: 'match', reason: 'lookup bound through the alternate key: account M-3' }),
  entry({ table: 'contact', key: 'P-2', column: '_parentcustomerid_value', source: null, expected: 'a2', actual: 'a2', status: 'match', reason: 'lookup bound through the alternate key: account M-4' }),
]);

afterEach(() => {
  document.body.innerHTML = '';
});

const rows = () => screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1' && within(r).queryAllByRole('gridcell').length > 0);

function pick(label: string, option: string): void {
  fireEvent.click(screen.getByRole('combobox', { name: label }));
  fireEvent.click(screen.getByRole('option', { name: option }));
}

describe('Diff Viewer control', () => {
  test('every resx string has a key in code and the other way round', () => {
    const inResx = [...RESX.matchAll(/<data name="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(inResx).toEqual([...STRING_KEYS].sort());
  });

  test('no resx string says an internal name (resource, option or logical name)', () => {
    const values = [...RESX.matchAll(/<value>([^<]*)<\/value>/g)].map((m) => m[1]).join('\n');
    expect(findInternalNames(values)).toEqual([]);
  });

  test('shows the summary and every entry, strings resolved from the resx', () => {
    createComponent(JSON.stringify(SAMPLE));
    expect(screen.getByText('Sample field comparison')).toBeTruthy();
    expect(screen.getByTestId('filter-count').textContent).toBe('Showing 6 of 6 fields');
    expect(rows()).toHaveLength(6);
  });

  test('shows what the sample covers, and what it misses', () => {
    const doc = { ...SAMPLE, coverage: { matterTypes: ['Litigation', 'Family Law'], roles: ['Client'], timeEntries: 4, missingMatterTypes: ['Conveyancing'], missingRoles: ['Witness'] } };
    createComponent(JSON.stringify(doc));
    expect(screen.getByTestId('coverage').textContent).toBe('The sample covers matter types: 2, roles: 1, time entries: 4. Not covered: Conveyancing, Witness.');
  });

  test('filters by Dynamics table, field, result and reason, each by its display name', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Dynamics table', 'Contacts');
    expect(screen.getByTestId('filter-count').textContent).toBe('Showing 4 of 6 fields');
    pick('Field', 'Last Name');
    expect(rows()).toHaveLength(1);
    expect(within(rows()[0]).getByText('BLOGGS')).toBeTruthy();
    pick('Dynamics table', 'All');
    pick('Result', 'Differs');
    expect(screen.getByTestId('filter-count').textContent).toBe('Showing 2 of 6 fields');
    pick('Reason', "converted to UTC from the firm's time");
    expect(rows()).toHaveLength(1);
    expect(within(rows()[0]).getByText('Opened On')).toBeTruthy();
    // Reasons that name a record are offered once, by their kind.
    pick('Result', 'All');
    pick('Reason', 'lookup bound through the alternate key');
    expect(screen.getByTestId('filter-count').textContent).toBe('Showing 2 of 6 fields');
    expect(screen.queryByRole('option', { name: 'lookup bound through the alternate key: account M-3' })).toBeNull();
    // A filter that leaves nothing says what to do.
    pick('Result', 'Differs');
    expect(screen.getByTestId('filter-empty').textContent).toBe('No field matches these filters. Choose "All" in a filter to see more.');
  });

  test('a differing row shows source, expected and actual side by side, dates in the reader\'s time zone', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Field', 'Opened On');
    const [row] = rows();
    const cell = (col: string) => row.querySelector(`[data-col="${col}"]`)?.textContent;
    expect(cell('source')).toBe(formatDateTime('2024-03-01T09:00:00+10:00', { locale: navigator.language }));
    expect(cell('expected')).toBe(formatDateTime('2024-02-29T23:00:00Z', { locale: navigator.language }));
    expect(cell('source')).toBe(cell('expected')); // the same instant
    expect(cell('actual')).toBe('(empty)');
    expect(cell('status')).toBe('Differs');
    expect(cell('table')).toBe('Matter');
  });

  test('HTML in a value is shown as literal text, never as markup', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Dynamics table', 'Accounts');
    const [row] = rows();
    expect(row.querySelector('[data-col="source"]')?.textContent).toBe('<b>Acme</b><img src=x onerror="window.__pwned=1">');
    expect(row.querySelector('b')).toBeNull();
    expect(row.querySelector('img')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test('accept and correct reach getOutputs(); Accept is off once the field is accepted; approval is left to the wizard', async () => {
    const { outputs } = createComponent(JSON.stringify(SAMPLE), JSON.stringify({ wizardStep: 'map', approved: false, decisions: [] }));
    expect(screen.queryByRole('button', { name: 'Approve sample' })).toBeNull();
    expect(screen.getByTestId('approval-status').textContent).toBe("Fields with differences that still need a decision: 2 of 2. Approve the sample in the Mapping Wizard's Review step, which checks these decisions against the map.");

    fireEvent.click(screen.getByRole('button', { name: 'Accept Last Name (Contact)' }));
    let last = JSON.parse(outputs().at(-1)!) as ReviewDecisions & { wizardStep?: string };
    expect(last.decisions).toEqual([{ table: 'contact', column: 'lastname', action: 'accept' }]);
    expect(last.wizardStep).toBe('map');
    const accept = screen.getByRole('button', { name: 'Accept Last Name (Contact)' });
    expect(accept.hasAttribute('disabled') || accept.getAttribute('aria-disabled') === 'true').toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Correct Opened On (Matter)' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Save' }).hasAttribute('disabled')
      || within(dialog).getByRole('button', { name: 'Save' }).getAttribute('aria-disabled') === 'true').toBe(true);
    fireEvent.change(within(dialog).getByLabelText('Corrected target column or note'), { target: { value: 'astep_openeddate' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    // The dialog animates out; until then it is modal and hides the page from the accessibility tree.
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    last = JSON.parse(outputs().at(-1)!);
    expect(last.decisions).toEqual([
      { table: 'contact', column: 'lastname', action: 'accept' },
      { table: 'astep_matter', column: 'astep_openedon', action: 'correct', correction: 'astep_openeddate' },
    ]);
    expect(last.approved).toBe(false);
    expect(rows().some((r) => r.querySelector('[data-col="decision"]')?.textContent === 'Corrected: astep_openeddate')).toBe(true);
  });

  test('where approval belongs (the wizard), Approve waits for every differing field and then records the time', () => {
    const container = document.body.appendChild(document.createElement('div'));
    const doc = JSON.parse(JSON.stringify(SAMPLE)) as DiffDocument;
    const strings = new Map([...RESX.matchAll(/<data name="([^"]+)" xml:space="preserve"><value>([^<]*)<\/value>/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&')]));
    const t = (key: string, ...args: Array<string | number>) => (strings.get(key) ?? key).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
    let review: ReviewDecisions = EMPTY_REVIEW;
    const render = () => ReactDOM.render(React.createElement(DiffViewerApp, {
      document: doc, loadError: null, review, t, canApprove: true, headingLevel: 4, now: () => new Date('2026-01-02T03:04:05Z'),
      onReviewChange: (r: ReviewDecisions) => { review = r; render(); },
    }), container);
    render();
    const approveButton = () => screen.getByRole('button', { name: 'Approve sample' });
    expect(approveButton().hasAttribute('disabled') || approveButton().getAttribute('aria-disabled') === 'true').toBe(true);
    expect(container.querySelector('h4')?.textContent).toBe('Sample field comparison');
    fireEvent.click(screen.getByRole('button', { name: 'Accept Last Name (Contact)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Accept Opened On (Matter)' }));
    expect(screen.getByTestId('approval-status').textContent).toBe('Every field with a mismatch has a decision.');
    fireEvent.click(approveButton());
    expect(review).toMatchObject({ approved: true, approvedOn: '2026-01-02T03:04:05.000Z' });
    expect(screen.getByTestId('approval-status').textContent).toMatch(/^Sample approved on .*2026/);
    ReactDOM.unmountComponentAtNode(container);
  });

  test('a saved review is restored from the bound column', () => {
    const saved = { approved: false, approvedOn: null, decisions: [{ table: 'contact', column: 'lastname', action: 'accept' }] };
    createComponent(JSON.stringify(SAMPLE), JSON.stringify(saved));
    expect(screen.getByTestId('approval-status').textContent).toMatch(/^Fields with differences that still need a decision: 1 of 2\./);
  });

  test('10,000 entries render only a window of rows', () => {
    const many = diffDocument(Array.from({ length: 10000 }, (_, i) => entry({
      table: i % 2 ? 'contact' : 'account', key: `P-${i}`, column: `col${i % 50}`, source: `value ${i}`, expected: `value ${i}`,
      actual: i % 7 ? `value ${i}` : null, status: i % 7 ? 'match' : 'mismatch',
    })));
    createComponent(JSON.stringify(many));
    expect(screen.getByTestId('filter-count').textContent).toBe(`Showing ${(10000).toLocaleString()} of ${(10000).toLocaleString()} fields`);
    const rendered = rows().length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);
  });

  test('a sample with no differences says so', () => {
    createComponent(JSON.stringify(diffDocument([entry({ table: 'contact', column: 'firstname', status: 'match' })])));
    expect(screen.getByTestId('approval-status').textContent).toMatch(/^No unexplained differences: every value reached Dynamics as expected\. /);
  });

  test('no diff yet, and a malformed diff, say so instead of crashing', () => {
    createComponent(null);
    expect(screen.getByText('No sample yet: run the sample in the Mapping Wizard, then review it here.')).toBeTruthy();
    document.body.innerHTML = '';
    createComponent(JSON.stringify({ diff: [{ table: 'contact', column: 'x', status: 'maybe' }] }));
    expect(screen.getByText('The sample diff could not be read: diff[0].status must be "match" or "mismatch", got "maybe"')).toBeTruthy();
  });
});
