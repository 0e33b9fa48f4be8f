// A table of counts as a Fluent DetailsList: names on the left, numbers right-aligned under right-aligned headers,
// the header kept on top while the rows scroll (in a bounded pane, so a long list never stretches the form).
import * as React from 'react';
import { DetailsList, DetailsListLayoutMode, IColumn, IDetailsHeaderProps, IRenderFunction, ScrollablePane, ScrollbarVisibility, SelectionMode, Sticky, StickyPositionType } from '@fluentui/react';
import { formatCount } from '@astep/orchestrator/vocabulary/format';

export interface CountsRow { name: string; counts: number[] }

const stickyHeader: IRenderFunction<IDetailsHeaderProps> = (props, render) => (props && render ? <Sticky stickyPosition={StickyPositionType.Header} isScrollSynced>{render(props)}</Sticky> : null);
const right = { cellTitle: { justifyContent: 'flex-end' }, cellName: { textAlign: 'right' } } as const;

export const CountsList: React.FC<{ testId: string; label: string; headers: string[]; rows: CountsRow[]; maxHeightInPx?: number }> = ({ testId, label, headers, rows, maxHeightInPx = 380 }) => {
  const columns: IColumn[] = headers.map((h, i) => (i === 0
    ? { key: 'name', name: h, minWidth: 170, maxWidth: 260, isRowHeader: true, onRender: (r: CountsRow) => <span data-col="name">{r.name}</span> }
    : { key: `c${i}`, name: h, minWidth: 80, maxWidth: 110, styles: right, onRender: (r: CountsRow) => <span data-col={`c${i}`} style={{ display: 'block', textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(r.counts[i - 1])}</span> }));
  const height = Math.min(maxHeightInPx, 48 + rows.length * 33);
  return (
    <div data-testid={testId} style={{ position: 'relative', height, maxWidth: 760 }}>
      <ScrollablePane scrollbarVisibility={ScrollbarVisibility.auto}>
        <DetailsList items={rows} columns={columns} selectionMode={SelectionMode.none} layoutMode={DetailsListLayoutMode.justified} compact
          ariaLabelForGrid={label} getKey={(r: CountsRow) => r.name} onRenderDetailsHeader={stickyHeader} onShouldVirtualize={() => false} />
      </ScrollablePane>
    </div>
  );
};
