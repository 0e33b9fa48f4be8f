/// <reference types="powerapps-component-framework" />
/// <reference types="xrm" />
// Host page standing in for the Migration Run form in a real browser: the built Mapping Wizard bundle with a typed
// mock PCF context whose bound columns come from the row in the Dataverse emulator (as the form loads them), a form
// "save" for the control's outputs, and a small Xrm for the command-bar script (MigrationRunCommands.js), whose
// dialogs confirm at once and are recorded. Everything else is the product's code talking to the emulators over HTTP.
import type { IInputs, IOutputs } from '@astep/pcf-mappingwizard/generated/ManifestTypes';
import type { WizardHostSettings } from '@astep/pcf-mappingwizard/wizardController';

type Control = ComponentFramework.StandardControl<IInputs, IOutputs>;
interface ControlClass { new (): Control; configure(s: WizardHostSettings): void }

export interface HostConfig {
  webApiUrl: string;
  dataverseToken: string;
  runtimeUrl: string;
  apiName: string;
  platformToken: string;
  rowId: string;
  consentRedirectUrl: string;
  adminRole: string;
}

export interface HostCalls {
  alerts: Array<{ title?: string; text?: string }>;
  confirms: string[];
  errors: string[];
  notifications: Array<{ message: string; level: string }>;
  progress: string[];
  outputs: IOutputs[];
  saves: number;
}

export interface WizardHostWindow {
  Astep?: { MappingWizard?: ControlClass; MigrationRun?: { configure(o: unknown): void; rollback(f: unknown): Promise<void>; startRun(f: unknown): Promise<void> } };
  __ready: boolean;
  __error?: string;
  __calls: HostCalls;
  __form: unknown;
}

interface FormValues { runId: string | null; wizardState: string | null; mappingJson: string | null }

function text(raw: string | null, type: string): ComponentFramework.PropertyTypes.StringProperty {
  return { raw, formatted: raw ?? '', error: false, errorMessage: '', type, attributes: undefined } as ComponentFramework.PropertyTypes.StringProperty;
}

function collection<T>(items: T[]) {
  return { get: (i?: number) => (i === undefined ? items : items[i]), getLength: () => items.length, forEach: (fn: (x: T, i: number) => void) => items.forEach(fn) };
}

async function main(): Promise<void> {
  const w = window as unknown as WizardHostWindow;
  w.__ready = false;
  const calls: HostCalls = { alerts: [], confirms: [], errors: [], notifications: [], progress: [], outputs: [], saves: 0 };
  w.__calls = calls;
  try {
    const [config, resx] = await Promise.all([
      fetch('/config.json').then((r) => r.json() as Promise<HostConfig>),
      fetch('/strings.resx').then((r) => r.text()),
    ]);
    const strings = new Map<string, string>();
    for (const d of Array.from(new DOMParser().parseFromString(resx, 'text/xml').getElementsByTagName('data'))) {
      strings.set(d.getAttribute('name') ?? '', d.getElementsByTagName('value')[0]?.textContent ?? '');
    }
    const dataverse = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${config.webApiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${config.dataverseToken}`, accept: 'application/json', 'content-type': 'application/json', 'OData-Version': '4.0' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = res.status === 204 ? null : await res.json();
      if (!res.ok) throw Object.assign(new Error(json?.error?.message ?? `HTTP ${res.status}`), { code: json?.error?.code });
      return json;
    };
    const values: FormValues = { runId: null, wizardState: null, mappingJson: null };
    const loadRow = async () => {
      const row = await dataverse('GET', `astep_migrationruns(${config.rowId})?$select=astep_runid,astep_wizardstate,astep_mappingjson`);
      values.runId = row.astep_runid ?? null;
      values.wizardState = row.astep_wizardstate ?? null;
      values.mappingJson = row.astep_mappingjson ?? null;
    };
    await loadRow();

    // The small Xrm the command script uses (the real one is the platform's).
    const progressBox = document.getElementById('progress') as HTMLDivElement;
    const userSettings = { userId: '{6f1f0000-0000-4000-8000-00000000ad01}', userName: 'Migration Admin', roles: collection([{ id: '00000000-0000-4000-8000-0000000000a1', name: config.adminRole, entityType: 'role' }]) };
    const xrm = {
      Utility: {
        getGlobalContext: () => ({ userSettings, getClientUrl: () => location.origin }),
        showProgressIndicator: (m: string) => { calls.progress.push(m); progressBox.textContent = m; progressBox.style.display = 'block'; },
        closeProgressIndicator: () => { progressBox.style.display = 'none'; },
      },
      Navigation: {
        openConfirmDialog: async (s: { text?: string }) => (calls.confirms.push(s.text ?? ''), { confirmed: true }),
        openAlertDialog: async (a: { title?: string; text?: string }) => { calls.alerts.push(a); },
        openErrorDialog: async (e: { message?: string }) => { calls.errors.push(e.message ?? ''); },
        navigateTo: async () => undefined,
      },
      WebApi: {
        retrieveRecord: (entity: string, id: string, options = '') => dataverse('GET', `${entity}s(${id.replace(/[{}]/g, '')})${options}`),
        updateRecord: async (entity: string, id: string, data: Record<string, unknown>) => {
          await dataverse('PATCH', `${entity}s(${id.replace(/[{}]/g, '')})`, data);
          return { entityType: entity, id };
        },
      },
    };
    (window as unknown as { Xrm: unknown }).Xrm = xrm;

    const Ctor = w.Astep?.MappingWizard;
    if (!Ctor) throw new Error('the wizard bundle did not define Astep.MappingWizard');
    Ctor.configure({
      webApiUrl: config.webApiUrl,
      getDataverseToken: async () => config.dataverseToken,
      connectorRuntimeUrl: config.runtimeUrl,
      connectorApiName: config.apiName,
      getPlatformToken: async () => config.platformToken,
      consentRedirectUrl: config.consentRedirectUrl,
      pollIntervalInMs: 200,
    });
    w.Astep?.MigrationRun?.configure({ webApiUrl: config.webApiUrl, credential: { getToken: async () => config.dataverseToken } });

    const container = document.getElementById('host') as HTMLDivElement;
    const context = (): ComponentFramework.Context<IInputs> => ({
      parameters: {
        mappingJson: text(values.mappingJson, 'Multiple'),
        wizardState: text(values.wizardState, 'Multiple'),
        runId: text(values.runId, 'SingleLine.Text'),
        connectorRuntimeUrl: text(config.runtimeUrl, 'SingleLine.Text'),
        connectorApiName: text(config.apiName, 'SingleLine.Text'),
      },
      resources: { getString: (id: string) => strings.get(id) ?? '', getResource: () => { throw new Error('getResource is not mocked'); } },
      mode: {
        allocatedHeight: container.clientHeight, allocatedWidth: container.clientWidth, isControlDisabled: false, isVisible: true,
        label: 'Mapping Wizard', setControlState: () => true, setFullScreen: () => undefined, trackContainerResize: () => undefined,
      },
      userSettings: { userName: userSettings.userName, userId: userSettings.userId },
    } as unknown as ComponentFramework.Context<IInputs>);

    const control = new Ctor();
    // Like the platform: outputs are read later, set on the form (which saves them), then every control updates.
    const notifyOutputChanged = () => setTimeout(async () => {
      const out = control.getOutputs ? control.getOutputs() : {};
      calls.outputs.push(out);
      const patch: Record<string, unknown> = {};
      if (out.wizardState !== undefined) { values.wizardState = out.wizardState ?? null; patch.astep_wizardstate = values.wizardState; }
      if (out.mappingJson !== undefined) { values.mappingJson = out.mappingJson ?? null; patch.astep_mappingjson = values.mappingJson; }
      if (Object.keys(patch).length) {
        await dataverse('PATCH', `astep_migrationruns(${config.rowId})`, patch);
        calls.saves++;
      }
      control.updateView(context());
    }, 0);

    const notes = document.getElementById('notifications') as HTMLDivElement;
    w.__form = {
      data: {
        entity: { getId: () => `{${config.rowId}}`, getIsDirty: () => false },
        refresh: async () => { await loadRow(); control.updateView(context()); },
      },
      ui: {
        setFormNotification: (message: string, level: string) => { calls.notifications.push({ message, level }); notes.textContent = `${level}: ${message}`; return true; },
        tabs: { get: () => ({ setFocus: () => undefined }) },
      },
      getAttribute: (name: string) => ({ getValue: () => (name === 'astep_runid' ? values.runId : null) }),
    };
    control.init(context(), notifyOutputChanged, {}, container);
    control.updateView(context());
    w.__ready = true;
  } catch (e) {
    w.__error = String(e instanceof Error ? e.stack ?? e.message : e);
  }
}

void main();
