// The Diff Viewer: filters, the virtualized field-level list, per-field decisions and (inside the wizard) approval.
// Pure: everything arrives through props; index.ts owns the PCF lifecycle. What people see comes from the engine's
// vocabulary: Dynamics table and column display names, record names, values as Dynamics shows them.
import * as React from 'react';
import {
  DefaultButton, DetailsList, DetailsListLayoutMode, Dialog, DialogFooter, DialogType, Dropdown, IColumn, IDetailsHeaderProps,
  IDropdownOption, IRenderFunction, MessageBar, MessageBarType, PrimaryButton, ScrollablePane, ScrollbarVisibility, SelectionMode, Stack, Sticky,
  StickyPositionType, Text, TextField,
} from '@fluentui/react';
import { fieldText, recordText, valueDisplay } from '@astep/orchestrator/diff/display';
import { tableLabel } from '@astep/orchestrator/vocabulary/objects';
import { formatCount } from '@astep/orchestrator/vocabulary/format';
import type { DiffEntry, DiffFilter, DiffStatus, DiffViewerProps, FieldDecision } from '../Component.types';
import { approve, decide, fieldKey, fieldsNeedingDecision, filterEntries, filterOptions } from '../diffDocument';
import { BreakableText } from './BreakableText';

const ALL = '__all__';

interface CorrectionTarget { table: string; column: string; label: string }

const stickyHeader: IRenderFunction<IDetailsHeaderProps> = (headerProps, defaultRender) =>
  headerProps && defaultRender ? <Sticky stickyPosition={StickyPositionType.Header} isScrollSynced>{defaultRender(headerProps)}</Sticky> : null;

/** Headers wrap instead of being cut off ("Source (Action…"). */
/** Compact, and never wrapped mid-word by the multiline cell around it ("Acce pt"). */
const DECISION_BUTTON = { root: { minWidth: 0, padding: '0 10px' }, label: { whiteSpace: 'nowrap' } } as const;

const headerStyles = { cellTitle: { height: 'auto', minHeight: 32 }, cellName: { whiteSpace: 'normal', lineHeight: '16px' } } as const;

export const DiffViewerApp: React.FC<DiffViewerProps> = (props) => {
  const { document, loadError, review, onReviewChange, t, locale } = props;
  const now = props.now ?? (() => new Date());
  const Heading = `h${props.headingLevel ?? 2}` as 'h2';
  const [filter, setFilter] = React.useState<DiffFilter>({});
  const [correcting, setCorrecting] = React.useState<CorrectionTarget | null>(null);
  const [correction, setCorrection] = React.useState('');

  const entries = React.useMemo(() => document?.diff ?? [], [document]);
  const labels = document?.labels;
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
      key, name, minWidth, maxWidth, isResizable: true, isMultiline: true, styles: headerStyles,
      // React renders this as text: markup in source data stays literal text.
      onRender: (e: DiffEntry) => <span data-col={key}><BreakableText text={get(e)} /></span>,
    });
    const empty = t('Value_Empty');
    const value = (which: 'source' | 'expected' | 'actual') => (e: DiffEntry) => valueDisplay(e, which, labels, locale) ?? empty;
    return [
      textColumn('table', t('Column_Object'), (e) => tableLabel(e.table, 1), 70, 110),
      textColumn('key', t('Column_Key'), (e) => recordText(e, labels), 100, 170),
      textColumn('column', t('Column_Field'), (e) => fieldText(e, labels), 90, 150),
      textColumn('source', t('Column_Source'), value('source'), 110, 220),
      textColumn('expected', t('Column_Expected'), value('expected'), 110, 220),
      textColumn('actual', t('Column_Actual'), value('actual'), 110, 220),
      {
        key: 'status', name: t('Column_Status'), minWidth: 70, maxWidth: 100, isResizable: true, isMultiline: true, styles: headerStyles,
        // Differences stand out by weight and colour as well as by word.
        onRender: (e: DiffEntry) => e.status === 'mismatch'
          ? <span data-col="status" style={{ color: '#a4262c', fontWeight: 600 }}>{t('Status_mismatch')}</span>
          : <span data-col="status">{t('Status_match')}</span>,
      },
      textColumn('reason', t('Column_Reason'), (e) => e.reason, 140, 300),
      {
        key: 'decision', name: t('Column_Decision'), minWidth: 168, maxWidth: 200, isMultiline: true, styles: headerStyles,
        onRender: (e: DiffEntry) => {
          const field = `${fieldText(e, labels)} (${tableLabel(e.table, 1)})`;
          const current = decisions.get(fieldKey(e.table, e.column));
          return (
            <Stack tokens={{ childrenGap: 4 }}>
              <span data-col="decision">{decisionText(e.table, e.column)}</span>
              <Stack horizontal tokens={{ childrenGap: 4 }}>
                <DefaultButton text={t('Action_Accept')} ariaLabel={t('Action_Accept_Label', field)} styles={DECISION_BUTTON}
                  disabled={current?.action === 'accept'}
                  onClick={() => setDecision({ table: e.table, column: e.column, action: 'accept' })} />
                <DefaultButton text={t('Action_Correct')} ariaLabel={t('Action_Correct_Label', field)} styles={DECISION_BUTTON}
                  onClick={() => {
                    setCorrection(current?.action === 'correct' ? current.correction ?? '' : '');
                    setCorrecting({ table: e.table, column: e.column, label: field });
                  }} />
              </Stack>
            </Stack>
          );
        },
      },
    ];
  }, [t, decisionText, setDecision, decisions, labels, locale]);

  if (loadError) return <MessageBar messageBarType={MessageBarType.error} isMultiline delayedRender={false}>{t('Error_BadJson', loadError)}</MessageBar>;
  if (!document) return <MessageBar messageBarType={MessageBarType.info} isMultiline delayedRender={false}>{t('Error_NoDiff')}</MessageBar>;

  const allOption: IDropdownOption = { key: ALL, text: t('Filter_All') };
  const dropdown = (id: string, label: string, selected: string | undefined, values: Array<{ key: string; text: string }>, onPick: (v: string | undefined) => void) => (
    <Dropdown label={label} ariaLabel={label} data-testid={`filter-${id}`} selectedKey={selected ?? ALL} options={[allOption, ...values]} styles={{ root: { minWidth: 170, maxWidth: 260 } }}
      onChange={(_, o) => onPick(o && o.key !== ALL ? String(o.key) : undefined)} />
  );
  const mismatches = entries.filter((e) => e.status === 'mismatch').length;
  const n = (x: number) => formatCount(x, locale);
  const approval = review.approved && review.approvedOn
    ? t('Approved', new Date(review.approvedOn).toLocaleString(locale?.locale, { dateStyle: 'medium', timeStyle: 'short' }))
    : pending > 0 ? t('Approve_Pending', n(pending), n(needing.length)) : needing.length ? t('Approve_Ready') : t('Approve_NoMismatches');

  return (
    <Stack tokens={{ childrenGap: 8 }} className="astep-diffviewer">
      <Text variant="large" as={Heading} styles={{ root: { margin: 0 } }}>{t('Title')}</Text>
      <Text>{t('Summary', n(document.rowCount), n(document.matterIds.length), n(entries.length), n(mismatches))}</Text>
      {document.coverage && (
        <Text data-testid="coverage">
          {t('Coverage', n(document.coverage.matterTypes.length), n(document.coverage.roles.length), n(document.coverage.timeEntries))}
          {' '}
          {document.coverage.missingMatterTypes.length || document.coverage.missingRoles.length
            ? t('Coverage_Missing', [...document.coverage.missingMatterTypes, ...document.coverage.missingRoles].join(', '))
            : t('Coverage_Complete')}
        </Text>
      )}
      <Stack horizontal wrap tokens={{ childrenGap: 8 }} role="group" aria-label={t('Filter_Label')}>
        {dropdown('table', t('Filter_Object'), filter.table, options.tables.map((v) => ({ key: v, text: tableLabel(v) })), (table) => setFilter((f) => ({ ...f, table, column: undefined })))}
        {dropdown('column', t('Filter_Field'), filter.column, options.columns.map((c) => ({ key: c, text: fieldText({ table: filter.table ?? entries.find((e) => e.column === c)?.table ?? '', column: c }, labels) })).sort((a, b) => a.text.localeCompare(b.text)),
          (column) => setFilter((f) => ({ ...f, column })))}
        {dropdown('status', t('Filter_Status'), filter.status, [{ key: 'match', text: t('Status_match') }, { key: 'mismatch', text: t('Status_mismatch') }],
          (status) => setFilter((f) => ({ ...f, status: status as DiffStatus | undefined })))}
        {dropdown('reason', t('Filter_Reason'), filter.reason, options.reasons.map((v) => ({ key: v, text: v })), (reason) => setFilter((f) => ({ ...f, reason })))}
      </Stack>
      <Text role="status" data-testid="filter-count">{t('Filter_Count', n(visible.length), n(entries.length))}</Text>
      {visible.length === 0 ? (
        <MessageBar messageBarType={MessageBarType.info} delayedRender={false} data-testid="filter-empty">{t('Filter_Empty')}</MessageBar>
      ) : (
        // A bounded scrolling parent is what lets DetailsList render only the rows in view; the header stays on top,
        // and the space under the last row keeps its buttons clear of the horizontal scroll bar.
        <div data-testid="diff-scroll" style={{ height: props.listHeightInPx ?? 480, position: 'relative' }}>
          <ScrollablePane scrollbarVisibility={ScrollbarVisibility.auto}>
            <DetailsList items={visible} columns={columns} selectionMode={SelectionMode.none} layoutMode={DetailsListLayoutMode.justified}
              ariaLabelForGrid={t('List_Label')} getKey={(e: DiffEntry) => `${e.table}|${e.key}|${e.column}`} compact
              onRenderDetailsHeader={stickyHeader} />
            <div style={{ height: 24 }} aria-hidden />
          </ScrollablePane>
        </div>
      )}
      <Stack horizontal verticalAlign="center" wrap tokens={{ childrenGap: 12 }}>
        {props.canApprove && (
          <PrimaryButton text={t('Approve')} disabled={pending > 0 || review.approved} onClick={() => onReviewChange(approve(review, now()))} />
        )}
        <Text role="status" data-testid="approval-status">{approval}{!props.canApprove && !review.approved ? ` ${t('Approve_InWizard')}` : ''}</Text>
      </Stack>
      <Dialog hidden={!correcting} onDismiss={() => setCorrecting(null)}
        dialogContentProps={{ type: DialogType.normal, title: correcting ? t('Correct_Dialog_Title', correcting.label) : '' }}>
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
