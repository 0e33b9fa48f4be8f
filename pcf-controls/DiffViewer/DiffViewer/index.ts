// PCF lifecycle only: maps the bound columns to props, renders, and hands decisions back through getOutputs().
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { IInputs, IOutputs } from './generated/ManifestTypes';
import { DiffViewerApp } from './components/DiffViewerApp';
import type { DiffDocument, ReviewDecisions, Translate } from './Component.types';
import { DiffDocumentError, parseDiffDocument, parseReview, serializeReview } from './diffDocument';
import { registerDiffViewerIcons } from './icons';
import { ManifestConstants } from './ManifestConstants';

export class DiffViewer implements ComponentFramework.StandardControl<IInputs, IOutputs> {
  private container!: HTMLDivElement;
  private notifyOutputChanged!: () => void;
  private context!: ComponentFramework.Context<IInputs>;
  private lastRaw: string | null | undefined = undefined;
  private document: DiffDocument | null = null;
  private loadError: string | null = null;
  private review: ReviewDecisions | null = null;
  private savedState: string | null = null;
  private pendingOutput: string | null = null;

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void, _state: ComponentFramework.Dictionary, container: HTMLDivElement): void {
    this.context = context;
    this.notifyOutputChanged = notifyOutputChanged;
    this.container = container;
    registerDiffViewerIcons();
  }

  public updateView(context: ComponentFramework.Context<IInputs>): void {
    this.context = context;
    const raw = context.parameters[ManifestConstants.diffJson]?.raw ?? null;
    // Parse only when the column changed: a 10,000-entry document is a few megabytes.
    if (raw !== this.lastRaw) {
      this.lastRaw = raw;
      try {
        this.document = parseDiffDocument(raw);
        this.loadError = null;
      } catch (e) {
        this.document = null;
        this.loadError = e instanceof DiffDocumentError ? e.message : String(e);
      }
    }
    const state = context.parameters[ManifestConstants.wizardState]?.raw ?? null;
    // The form's value wins unless we are waiting for our own change to come back.
    if (this.review === null || (state !== this.savedState && this.pendingOutput === null)) {
      this.review = parseReview(state);
      this.savedState = state;
    }
    ReactDOM.render(
      React.createElement(DiffViewerApp, {
        document: this.document,
        loadError: this.loadError,
        review: this.review,
        onReviewChange: this.onReviewChange,
        t: this.translate,
        // Dates and numbers as the reader's browser writes them.
        locale: { locale: typeof navigator !== 'undefined' ? navigator.language : undefined },
        listHeightInPx: context.mode.allocatedHeight > 0 ? Math.max(240, context.mode.allocatedHeight - 220) : 480,
      }),
      this.container,
    );
  }

  public getOutputs(): IOutputs {
    if (this.pendingOutput === null) return {};
    const out = this.pendingOutput;
    this.savedState = out;
    this.pendingOutput = null;
    return { [ManifestConstants.wizardState]: out };
  }

  public destroy(): void {
    ReactDOM.unmountComponentAtNode(this.container);
  }

  private onReviewChange = (review: ReviewDecisions): void => {
    this.review = review;
    this.pendingOutput = serializeReview(review, this.savedState);
    this.notifyOutputChanged();
    this.updateView(this.context);
  };

  private translate: Translate = (key, ...args) => {
    const template = this.context.resources.getString(key) || key;
    return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
  };
}
