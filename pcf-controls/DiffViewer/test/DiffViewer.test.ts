/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { createComponent, diffDocument, entry, installResizeObserverStub, RESX } from '../DiffViewer/__mocks__/mockContext';
import { STRING_KEYS } from '../DiffViewer/strings/keys';
import type { ReviewDecisions } from '../DiffViewer/Component.types';

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

  test('shows the summary and every entry, strings resolved from the resx', () => {
    createComponent(JSON.stringify(SAMPLE));
    expect(screen.getByText('Sample diff')).toBeTruthy();
    expect(screen.getByTestId('filter-count').textContent).toBe('6 of 6 values shown');
    expect(rows()).toHaveLength(6);
  });

  test('shows what the sample covers, and what it misses', () => {
    const doc = { ...SAMPLE, coverage: { matterTypes: ['Litigation', 'Family Law'], roles: ['Client'], timeEntries: 4, missingMatterTypes: ['Conveyancing'], missingRoles: ['Witness'] } };
    createComponent(JSON.stringify(doc));
    expect(screen.getByTestId('coverage').textContent).toBe('The sample covers 2 matter types, 1 roles and 4 time entries. Not covered: Conveyancing, Witness.');
  });

  test('filters by object, field, status and reason', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Object', 'contact');
    expect(screen.getByTestId('filter-count').textContent).toBe('4 of 6 values shown');
    pick('Field', 'lastname');
    expect(rows()).toHaveLength(1);
    expect(within(rows()[0]).getByText('BLOGGS')).toBeTruthy();
    pick('Object', 'All');
    pick('Status', 'Mismatch');
    expect(screen.getByTestId('filter-count').textContent).toBe('2 of 6 values shown');
    pick('Reason', "converted to UTC from the firm's time");
    expect(rows()).toHaveLength(1);
    expect(within(rows()[0]).getByText('astep_openedon')).toBeTruthy();
    // Reasons that name a record are offered once, by their kind.
    pick('Status', 'All');
    pick('Reason', 'lookup bound through the alternate key');
    expect(screen.getByTestId('filter-count').textContent).toBe('2 of 6 values shown');
    expect(screen.queryByRole('option', { name: 'lookup bound through the alternate key: account M-3' })).toBeNull();
  });

  test('a mismatch row shows source, expected and actual side by side', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Field', 'astep_openedon');
    const [row] = rows();
    const cell = (col: string) => row.querySelector(`[data-col="${col}"]`)?.textContent;
    expect(cell('source')).toBe('2024-03-01T09:00:00+10:00');
    expect(cell('expected')).toBe('2024-02-29T23:00:00Z');
    expect(cell('actual')).toBe('(empty)');
    expect(cell('status')).toBe('Mismatch');
  });

  test('HTML in a value is shown as literal text, never as markup', () => {
    createComponent(JSON.stringify(SAMPLE));
    pick('Object', 'account');
    const [row] = rows();
    expect(row.querySelector('[data-col="source"]')?.textContent).toBe('<b>Acme</b><img src=x onerror="window.__pwned=1">');
    expect(row.querySelector('b')).toBeNull();
    expect(row.querySelector('img')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test('accept, correct and approve reach getOutputs()', async () => {
    const { outputs } = createComponent(JSON.stringify(SAMPLE), JSON.stringify({ wizardStep: 'map', approved: false, decisions: [] }));
    const approveButton = () => screen.getByRole('button', { name: 'Approve sample' });
    expect(approveButton().hasAttribute('disabled') || approveButton().getAttribute('aria-disabled') === 'true').toBe(true);
    expect(screen.getByTestId('approval-status').textContent).toBe('2 of 2 fields with mismatches still need a decision.');

    fireEvent.click(screen.getByRole('button', { name: 'Accept field contact.lastname' }));
    let last = JSON.parse(outputs().at(-1)!) as ReviewDecisions & { wizardStep?: string };
    expect(last.decisions).toEqual([{ table: 'contact', column: 'lastname', action: 'accept' }]);
    expect(last.wizardStep).toBe('map');

    fireEvent.click(screen.getByRole('button', { name: 'Correct field astep_matter.astep_openedon' }));
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

    fireEvent.click(approveButton());
    last = JSON.parse(outputs().at(-1)!);
    expect(last.approved).toBe(true);
    expect(new Date(last.approvedOn!).toString()).not.toBe('Invalid Date');
    expect(last.decisions).toHaveLength(2);
    expect(screen.getByTestId('approval-status').textContent).toMatch(/^Sample approved on /);
  });

  test('a saved review is restored from the bound column', () => {
    const saved = { approved: false, approvedOn: null, decisions: [{ table: 'contact', column: 'lastname', action: 'accept' }] };
    createComponent(JSON.stringify(SAMPLE), JSON.stringify(saved));
    expect(screen.getByTestId('approval-status').textContent).toBe('1 of 2 fields with mismatches still need a decision.');
  });

  test('10,000 entries render only a window of rows', () => {
    const many = diffDocument(Array.from({ length: 10000 }, (_, i) => entry({
      table: i % 2 ? 'contact' : 'account', key: `P-${i}`, column: `col${i % 50}`, source: `value ${i}`, expected: `value ${i}`,
      actual: i % 7 ? `value ${i}` : null, status: i % 7 ? 'match' : 'mismatch',
    })));
    createComponent(JSON.stringify(many));
    expect(screen.getByTestId('filter-count').textContent).toBe('10000 of 10000 values shown');
    const rendered = rows().length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);
  });

  test('a sample with no mismatches can be approved at once', () => {
    const { outputs } = createComponent(JSON.stringify(diffDocument([entry({ table: 'contact', column: 'firstname', status: 'match' })])));
    expect(screen.getByTestId('approval-status').textContent).toBe('No mismatches: every value reached Dataverse as expected.');
    fireEvent.click(screen.getByRole('button', { name: 'Approve sample' }));
    expect(JSON.parse(outputs().at(-1)!)).toMatchObject({ approved: true, decisions: [] });
  });

  test('no diff yet, and a malformed diff, say so instead of crashing', () => {
    createComponent(null);
    expect(screen.getByText('No sample diff yet: run the sample first.')).toBeTruthy();
    document.body.innerHTML = '';
    createComponent(JSON.stringify({ diff: [{ table: 'contact', column: 'x', status: 'maybe' }] }));
    expect(screen.getByText('The sample diff could not be read: diff[0].status must be "match" or "mismatch", got "maybe"')).toBeTruthy();
  });
});
