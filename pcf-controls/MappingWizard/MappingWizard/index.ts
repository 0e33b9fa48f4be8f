// PCF lifecycle only: reads the bound columns, hands them to the controller, renders, and returns the state the
// controller wrote through getOutputs() so the form holds the same value as the row. The controller gets what the
// form gives every control (its Web API, the user) and reads everything else itself (see wizardController.ts).
// First: the Actionstep client's CSV parser needs a global Buffer as soon as it loads (see bufferGlobal.ts).
import '@astep/actionstep-connector/runtime/bufferGlobal';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { IInputs, IOutputs } from './generated/ManifestTypes';
import { WizardApp } from './components/WizardApp';
import { translator, type Translate } from './components/translate';
import { WizardController } from './wizardController';
import type { RecordsWebApi } from '@astep/dataverse-connector/xrmRecords';
import { registerDiffViewerIcons } from '@astep/pcf-diffviewer/icons';

export class MappingWizard implements ComponentFramework.StandardControl<IInputs, IOutputs> {
  private container!: HTMLDivElement;
  private notifyOutputChanged!: () => void;
  private context!: ComponentFramework.Context<IInputs>;
  private controller: WizardController | null = null;
  private pending: IOutputs | null = null;
  private lastState: string | null | undefined = undefined;
  private t!: Translate;

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void, _state: ComponentFramework.Dictionary, container: HTMLDivElement): void {
    this.context = context;
    this.notifyOutputChanged = notifyOutputChanged;
    this.container = container;
    this.t = translator((key) => this.context.resources.getString(key));
    registerDiffViewerIcons();
    this.controller = new WizardController(
      // context.webAPI has Xrm.WebApi's record methods (the manifest declares the WebAPI feature).
      { webApi: context.webAPI as unknown as RecordsWebApi, userId: context.userSettings.userId, userName: context.userSettings.userName, orgUrl: location.origin },
      (stateJson, mappingJson) => {
        this.lastState = stateJson;
        this.pending = { ...(this.pending ?? {}), wizardState: stateJson, ...(mappingJson ? { mappingJson } : {}) };
        this.notifyOutputChanged();
      },
      this.t,
    );
  }

  public updateView(context: ComponentFramework.Context<IInputs>): void {
    this.context = context;
    const controller = this.controller!;
    const runId = context.parameters.runId?.raw ?? null;
    const state = context.parameters.wizardState?.raw ?? null;
    if (controller.snapshot.runId !== runId) {
      this.lastState = state;
      void controller.open(runId, state);
    } else if (state !== this.lastState && this.pending === null) {
      // Someone else wrote the column (the Diff Viewer on the other tab, the "Start run" command).
      this.lastState = state;
      void controller.stateChangedOnForm(state);
    }
    ReactDOM.render(
      React.createElement(WizardApp, {
        controller, t: this.t, diffT: (key: string, ...args: Array<string | number>) => this.t(`Diff_${key}`, ...args),
        listHeightInPx: context.mode.allocatedHeight > 0 ? Math.max(240, context.mode.allocatedHeight - 320) : 420,
      }),
      this.container,
    );
  }

  public getOutputs(): IOutputs {
    const out = this.pending ?? {};
    this.pending = null;
    return out;
  }

  public destroy(): void {
    ReactDOM.unmountComponentAtNode(this.container);
  }
}
