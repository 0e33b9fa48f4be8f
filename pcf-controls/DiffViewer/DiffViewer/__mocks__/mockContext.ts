// A typed mock PCF context for the Diff Viewer (jsdom): the control, its two bound columns and the resx strings.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ComponentFrameworkMockGenerator, StringPropertyMock } from '@shko.online/componentframework-mock';
import { DiffViewer } from '../index';
import type { IInputs, IOutputs } from '../generated/ManifestTypes';
import type { DiffDocument, DiffEntry } from '../Component.types';

export const RESX = readFileSync(path.join(__dirname, '..', 'strings', 'DiffViewer.1033.resx'), 'utf8');

export interface DiffViewerHarness {
  generator: ComponentFrameworkMockGenerator<IInputs, IOutputs>;
  container: HTMLDivElement;
  /** Every wizardState value the control handed to the platform through getOutputs(), oldest first. */
  outputs: () => string[];
}

/** The mock advertises its maker on every control it builds (a console.info banner): that one line is dropped. */
function withoutBanner<T>(make: () => T): T {
  const info = console.info;
  console.info = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('%cShko Online')) return;
    info(...args);
  };
  try {
    return make();
  } finally {
    console.info = info;
  }
}

/** React 16 delegates events at `document`, so the container must be attached to the page. */
export function createComponent(diffJson: string | null, wizardState: string | null = null): DiffViewerHarness {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const generator = withoutBanner(() => new ComponentFrameworkMockGenerator<IInputs, IOutputs>(
    DiffViewer,
    { diffJson: StringPropertyMock, wizardState: StringPropertyMock },
    container,
  ));
  generator.SetControlResource(RESX);
  // Canvas items create the bound record in the mock's in-memory table, then hold both column values.
  // The mock types string columns as non-null; null is what the platform hands over for an empty column.
  generator.context._SetCanvasItems({ diffJson: diffJson as string, wizardState: wizardState as string });
  generator.ExecuteInit();
  generator.ExecuteUpdateView();
  const outputs = () => (generator.control.getOutputs?.returnValues ?? [])
    .map((o) => o.wizardState)
    .filter((v): v is string => typeof v === 'string');
  return { generator, container, outputs };
}

export function entry(partial: Partial<DiffEntry> & Pick<DiffEntry, 'table' | 'column'>): DiffEntry {
  return {
    key: 'K-1', targetId: null, sourceResource: 'participants', sourceId: '1', source: null, expected: null, actual: null,
    status: 'match', reason: 'copied', ...partial,
  };
}

export function diffDocument(diff: DiffEntry[]): DiffDocument {
  return {
    runId: 'run-test', matterIds: ['1'], rowCount: diff.length, coverage: null, tables: [], diff,
    diffFields: diff.length, mismatches: diff.filter((d) => d.status === 'mismatch').length,
  };
}

/** jsdom has no ResizeObserver; the mock generator constructs one. */
export function installResizeObserverStub(): void {
  if (typeof (globalThis as { ResizeObserver?: unknown }).ResizeObserver === 'undefined') {
    (globalThis as { ResizeObserver?: unknown }).ResizeObserver = class {
      observe(): void { /* no layout in jsdom */ }
      unobserve(): void { /* no layout in jsdom */ }
      disconnect(): void { /* no layout in jsdom */ }
    };
  }
}
