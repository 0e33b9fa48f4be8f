/// <reference types="powerapps-component-framework" />
// Host page for the built Diff Viewer bundle in a real browser: a small typed mock of the PCF context (the two
// bound columns, resx strings, allocated size) and a notifyOutputChanged that, like the platform, calls
// getOutputs() later and feeds the new column value back through updateView().
import type { IInputs, IOutputs } from '@astep/pcf-diffviewer/generated/ManifestTypes';

type Control = ComponentFramework.StandardControl<IInputs, IOutputs>;
export interface HostWindow {
  Astep?: { DiffViewer?: new () => Control };
  __outputs: IOutputs[];
  __ready: boolean;
  __error?: string;
}

interface ColumnValues { diffJson: string | null; wizardState: string | null }

function stringProperty(raw: string | null): ComponentFramework.PropertyTypes.StringProperty {
  return { raw, formatted: raw ?? '', error: false, errorMessage: '', type: 'Multiple', attributes: undefined } as ComponentFramework.PropertyTypes.StringProperty;
}

/** Only what the control reads; the rest of the context is left out on purpose (a call to it would throw). */
function mockContext(values: ColumnValues, strings: Map<string, string>, container: HTMLElement): ComponentFramework.Context<IInputs> {
  const context: Pick<ComponentFramework.Context<IInputs>, 'parameters' | 'resources' | 'mode'> = {
    parameters: { diffJson: stringProperty(values.diffJson), wizardState: stringProperty(values.wizardState) },
    resources: {
      getString: (id: string) => strings.get(id) ?? '',
      getResource: () => { throw new Error('getResource is not mocked'); },
    },
    mode: {
      allocatedHeight: container.clientHeight, allocatedWidth: container.clientWidth, isControlDisabled: false, isVisible: true,
      label: 'Sample Diff', setControlState: () => true, setFullScreen: () => undefined, trackContainerResize: () => undefined,
    } as ComponentFramework.Mode,
  };
  return context as ComponentFramework.Context<IInputs>;
}

async function main(): Promise<void> {
  const w = window as unknown as HostWindow;
  w.__outputs = [];
  w.__ready = false;
  try {
    const [diffJson, resx] = await Promise.all([fetch(new URLSearchParams(location.search).get('diff') ?? '/diff.json').then((r) => r.text()), fetch('/strings.resx').then((r) => r.text())]);
    const strings = new Map<string, string>();
    for (const d of Array.from(new DOMParser().parseFromString(resx, 'text/xml').getElementsByTagName('data'))) {
      strings.set(d.getAttribute('name') ?? '', d.getElementsByTagName('value')[0]?.textContent ?? '');
    }
    const Ctor = w.Astep?.DiffViewer;
    if (!Ctor) throw new Error('bundle.js did not define Astep.DiffViewer');
    const container = document.getElementById('host') as HTMLDivElement;
    const values: ColumnValues = { diffJson, wizardState: null };
    const control = new Ctor();
    const notifyOutputChanged = () => setTimeout(() => {
      const out = control.getOutputs ? control.getOutputs() : {};
      w.__outputs.push(out);
      if (out.wizardState !== undefined) values.wizardState = out.wizardState;
      control.updateView(mockContext(values, strings, container));
    }, 0);
    control.init(mockContext(values, strings, container), notifyOutputChanged, {}, container);
    control.updateView(mockContext(values, strings, container));
    w.__ready = true;
  } catch (e) {
    w.__error = String(e);
  }
}

void main();
