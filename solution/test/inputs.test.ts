import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPackInputs, loadWebResources, readControlManifest, webResourceType } from '../src/pack/inputs';

describe('pack inputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'astep-inputs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the fixture repository: the web resources (scripts and the sign-in pages), two controls, the connector', () => {
    const inputs = loadPackInputs(join(__dirname, 'fixtures', 'repo'));
    expect(inputs.webResources.map((w) => [w.name, w.type])).toEqual([
      ['astep_/js/MigrationRunCommands.js', 3], ['astep_/js/ContactForm.js', 3], ['astep_/js/AccountForm.js', 3], ['astep_/js/SignInRedirect.js', 3],
      ['astep_/html/SignInRedirect.html', 1], ['astep_/html/ConnectionSignedIn.html', 1],
    ]);
    expect(inputs.controls[0].boundProperties).toEqual([{ name: 'value', type: 'Multiple' }, { name: 'wizardState', type: 'Multiple' }]);
    expect(inputs.controls.map((c) => [c.name, c.boundProperty, c.boundType])).toEqual([
      ['astep_Astep.DiffViewer', 'value', 'Multiple'],
      ['astep_Astep.MappingWizard', 'mappingJson', 'Multiple'],
    ]);
    expect(inputs.controls[1].files.map((f) => f.path)).toEqual(['ControlManifest.xml', 'bundle.js', 'css/MappingWizard.css']);
    expect(inputs.connector?.name).toBe('astep_actionstep');
    expect(inputs.connector?.policyTemplateInstances).toBeUndefined();
  });

  it('an empty repository has no inputs', () => {
    expect(loadPackInputs(dir)).toEqual({ webResources: [], controls: [], connector: undefined });
  });

  it('names the manifest entry whose file is missing', () => {
    writeFileSync(join(dir, 'webresources.json'), JSON.stringify([{ name: 'astep_/js/Missing.js', type: 3 }]));
    expect(() => loadWebResources(dir)).toThrow(/entry astep_\/js\/Missing.js: file js\/Missing.js does not exist/);
    writeFileSync(join(dir, 'webresources.json'), JSON.stringify([{ displayName: 'x' }]));
    expect(() => loadWebResources(dir)).toThrow(/entry 0: "name" is required/);
  });

  it('web resource types from numbers, names and extensions', () => {
    expect(webResourceType(3, 'a.js')).toBe(3);
    expect(webResourceType('css', 'a')).toBe(2);
    expect(webResourceType(undefined, 'astep_/img/icon.svg')).toBe(11);
    expect(() => webResourceType('bogus', 'a.bin')).toThrow(/unknown type "bogus"/);
  });

  it('a control manifest without a bound property is refused with the reason', () => {
    const xml = '<manifest><control namespace="Astep" constructor="X" version="1.0.0"><property name="p" usage="input" of-type="SingleLine.Text"/></control></manifest>';
    expect(() => readControlManifest(xml, 'X/ControlManifest.xml')).toThrow(/X\/ControlManifest.xml: the control has no property with usage="bound"/);
    expect(() => readControlManifest('<manifest><control/></manifest>', 'Y')).toThrow(/namespace and constructor/);
    mkdirSync(join(dir, 'pcf-controls', 'Bad', 'out', 'controls', 'Bad'), { recursive: true });
    writeFileSync(join(dir, 'pcf-controls', 'Bad', 'out', 'controls', 'Bad', 'ControlManifest.xml'), xml);
    expect(() => loadPackInputs(dir)).toThrow(/usage="bound"/);
  });
});
