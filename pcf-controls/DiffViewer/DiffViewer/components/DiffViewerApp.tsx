// The Diff Viewer: filters, the virtualized field-level list, per-field decisions and sample approval.
// Pure: everything arrives through props; index.ts owns the PCF lifecycle.
import * as React from 'react';
import {
  DefaultButton, DetailsList, DetailsListLayoutMode, Dialog, DialogFooter, DialogType, Dropdown, IColumn, IDetailsHeaderProps,
  IDropdownOption, IRenderFunction, PrimaryButton, ScrollablePane, ScrollbarVisibility, SelectionMode, Stack, Sticky,
  StickyPositionType, Text, TextField,
} from '@fluentui/react';
import type { DiffEntry, DiffFilter, DiffStatus, DiffViewerProps, FieldDecision } from '../Component.types';
import { approve, decide, fieldKey, fieldsNeedingDecision, filterEntries, filterOptions, valueText } from '../diffDocument';

const ALL = '__all__';

interface CorrectionTarget { table: string; column: string }

const stickyHeader: IRenderFunction<IDetailsHeaderProps> = (headerProps, defaultRender) =>
  headerProps && defaultRender ? <Sticky stickyPosition={StickyPositionType.Header} isScrollSynced>{defaultRender(headerProps)}</Sticky> : null;

export const DiffViewerApp: React.FC<DiffViewerProps> = (props) => {
  const { document, loadError, review, onReviewChange, t } = props;
  const now = props.now ?? (() => new Date());
  const [filter, setFilter] = React.useState<DiffFilter>({});
  const [correcting, setCorrecting] = React.useState<CorrectionTarget | null>(null);
  const [correction, setCorrection] = React.useState('');

  const entries = React.useMemo(() => document?.diff ?? [], [document]);
  const visible = React.useMemo(() => filterEntries(entries, filter), [entries, filter]);
  const options = React.useMemo(() => filterOptions(entries, filter), [entries, filter]);
  const decisions = React.useMemo(() => new Map(review.decisions.map((d) => [fieldKey(d.table, d.column), d] as const)), [review]);
  const needing = React.useMemo(() => fieldsNeedingDecision(entries), [entries]);
  const pending = needing.filter((k) => !decisions.has(k)).length;

  const setDecision = React.useCallback((d: FieldDecision) => onReviewChange(decide(review, d)), [review, onReviewChange]);

  const decisionText = React.useCallback((table: string, column: string): string => {
    const d = decisions.get(fieldKey(table, column));
    if (!d) return t('Decision_None');
    return d.action === 'accept' ? t('Decision_Accepted') : t('Decision_Corrected', d.correction ?? '');
  }, [decisions, t]);

  const columns = React.useMemo<IColumn[]>(() => {
    const textColumn = (key: string, name: string, get: (e: DiffEntry) => string, minWidth: number, maxWidth: number): IColumn => ({
      key, name, minWidth, maxWidth, isResizable: true, isMultiline: true,
      // React renders this as a text node: markup in source data stays literal text.
      onRender: (e: DiffEntry) => <span data-col={key}>{get(e)}</span>,
    });
    const empty = t('Value_Empty');
    return [
      textColumn('table', t('Column_Object'), (e) => e.table, 90, 140),
      textColumn('key', t('Column_Key'), (e) => e.key, 70, 120),
      textColumn('column', t('Column_Field'), (e) => e.column, 110, 180),
      textColumn('source', t('Column_Source'), (e) => valueText(e.source, empty), 120, 260),
      textColumn('expected', t('Column_Expected'), (e) => valueText(e.expected, empty), 120, 260),
      textColumn('actual', t('Column_Actual'), (e) => valueText(e.actual, empty), 120, 260),
      {
        key: 'status', name: t('Column_Status'), minWidth: 70, maxWidth: 90, isResizable: true,
        // Mismatches stand out by weight and colour as well as by word.
        onRender: (e: DiffEntry) => e.status === 'mismatch'
          ? <span data-col="status" style={{ color: '#a4262c', fontWeight: 600 }}>{t('Status_mismatch')}</span>
          : <span data-col="status">{t('Status_match')}</span>,
      },
      textColumn('reason', t('Column_Reason'), (e) => e.reason, 140, 320),
      {
        key: 'decision', name: t('Column_Decision'), minWidth: 200, maxWidth: 280, isMultiline: true,
        onRender: (e: DiffEntry) => {
          const field = `${e.table}.${e.column}`;
          return (
            <Stack tokens={{ childrenGap: 4 }}>
              <span data-col="decision">{decisionText(e.table, e.column)}</span>
              <Stack horizontal tokens={{ childrenGap: 4 }}>
                <DefaultButton text={t('Action_Accept')} ariaLabel={t('Action_Accept_Label', field)}
                  onClick={() => setDecision({ table: e.table, column: e.column, action: 'accept' })} />
                <DefaultButton text={t('Action_Correct')} ariaLabel={t('Action_Correct_Label', field)}
                  onClick={() => {
                    const prev = decisions.get(fieldKey(e.table, e.column));
                    setCorrection(prev?.action === 'correct' ? prev.correction ?? '' : '');
                    setCorrecting({ table: e.table, column: e.column });
                  }} />
              </Stack>
            </Stack>
          );
        },
      },
    ];
  }, [t, decisionText, setDecision, decisions]);

  // Plain text with a live role: Fluent's MessageBar renders its text only after a delay.
  if (loadError) return <Text role="alert" styles={{ root: { color: '#a4262c' } }}>{t('Error_BadJson', loadError)}</Text>;
  if (!document) return <Text role="status">{t('Error_NoDiff')}</Text>;

  const allOption: IDropdownOption = { key: ALL, text: t('Filter_All') };
  const dropdown = (label: string, selected: string | undefined, values: Array<{ key: string; text: string }>, onPick: (v: string | undefined) => void) => (
    <Dropdown label={label} ariaLabel={label} selectedKey={selected ?? ALL} options={[allOption, ...values]} styles={{ root: { minWidth: 160 } }}
      onChange={(_, o) => onPick(o && o.key !== ALL ? String(o.key) : undefined)} />
  );
  const plain = (vs: string[]) => vs.map((v) => ({ key: v, text: v }));

  return (
    <Stack tokens={{ childrenGap: 8 }} className="astep-diffviewer">
      <Text variant="large" as="h2">{t('Title')}</Text>
      <Text>{t('Summary', document.rowCount, document.matterIds.length, entries.length, entries.filter((e) => e.status === 'mismatch').length)}</Text>
      {document.coverage && (
        <Text data-testid="coverage">
          {t('Coverage', document.coverage.matterTypes.length, document.coverage.roles.length, document.coverage.timeEntries)}
          {' '}
          {document.coverage.missingMatterTypes.length || document.coverage.missingRoles.length
            ? t('Coverage_Missing', [...document.coverage.missingMatterTypes, ...document.coverage.missingRoles].join(', '))
            : t('Coverage_Complete')}
        </Text>
      )}
      <Stack horizontal wrap tokens={{ childrenGap: 8 }}>
        {dropdown(t('Filter_Object'), filter.table, plain(options.tables), (table) => setFilter((f) => ({ ...f, table, column: undefined })))}
        {dropdown(t('Filter_Field'), filter.column, plain(options.columns), (column) => setFilter((f) => ({ ...f, column })))}
        {dropdown(t('Filter_Status'), filter.status, [{ key: 'match', text: t('Status_match') }, { key: 'mismatch', text: t('Status_mismatch') }],
          (status) => setFilter((f) => ({ ...f, status: status as DiffStatus | undefined })))}
        {dropdown(t('Filter_Reason'), filter.reason, plain(options.reasons), (reason) => setFilter((f) => ({ ...f, reason })))}
      </Stack>
      <Text role="status" data-testid="filter-count">{t('Filter_Count', visible.length, entries.length)}</Text>
      {/* A bounded scrolling parent is what lets DetailsList render only the rows in view; the header stays on top. */}
      <div data-testid="diff-scroll" style={{ height: props.listHeightInPx ?? 480, position: 'relative' }}>
        <ScrollablePane scrollbarVisibility={ScrollbarVisibility.auto}>
          <DetailsList items={visible} columns={columns} selectionMode={SelectionMode.none} layoutMode={DetailsListLayoutMode.justified}
            ariaLabelForGrid={t('List_Label')} getKey={(e: DiffEntry) => `${e.table}|${e.key}|${e.column}`} compact
            onRenderDetailsHeader={stickyHeader} />
        </ScrollablePane>
      </div>
      <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 12 }}>
        <PrimaryButton text={t('Approve')} disabled={pending > 0 || review.approved} onClick={() => onReviewChange(approve(review, now()))} />
        <Text role="status" data-testid="approval-status">
          {review.approved && review.approvedOn ? t('Approved', review.approvedOn)
            : pending > 0 ? t('Approve_Pending', pending, needing.length) : needing.length ? t('Approve_Ready') : t('Approve_NoMismatches')}
        </Text>
      </Stack>
      <Dialog hidden={!correcting} onDismiss={() => setCorrecting(null)}
        dialogContentProps={{ type: DialogType.normal, title: correcting ? t('Correct_Dialog_Title', `${correcting.table}.${correcting.column}`) : '' }}>
        <TextField label={t('Correct_Input_Label')} value={correction} onChange={(_, v) => setCorrection(v ?? '')}
          errorMessage={correction.trim() ? undefined : t('Correct_Required')} />
        <DialogFooter>
          <PrimaryButton text={t('Correct_Save')} disabled={!correction.trim()} onClick={() => {
            if (correcting) setDecision({ table: correcting.table, column: correcting.column, action: 'correct', correction });
            setCorrecting(null);
          }} />
          <DefaultButton text={t('Correct_Cancel')} onClick={() => setCorrecting(null)} />
        </DialogFooter>
      </Dialog>
    </Stack>
  );
};
