import JSZip from 'jszip';
import { join } from 'node:path';
import { SCHEMA } from '../src/schema';
import { loadPackInputs } from '../src/pack/inputs';
import { packSolution, zipPackage } from '../src/pack/packSolution';
import { checkSolutionManifest, checkZipLayout } from '../src/pack/verifyPackage';

const inputs = loadPackInputs(join(__dirname, 'fixtures', 'repo'));

describe('structural checks of solution.xml and the zip (run by the build)', () => {
  it.each([false, true])('a fresh pack (managed=%s) has no problems', async (managed) => {
    const pkg = packSolution(SCHEMA, { version: '1.0.0.0', managed, inputs });
    expect(checkSolutionManifest(pkg.solutionXml, pkg.customizationsXml)).toEqual([]);
    expect(await checkZipLayout(await zipPackage(pkg))).toEqual([]);
  });

  it('finds a missing root component, a bad prefix, a bad version and a bad Managed flag', () => {
    const pkg = packSolution(SCHEMA, { version: '1.0.0.0', managed: false, inputs });
    const broken = pkg.solutionXml
      .replace(/\s*<RootComponent type="66" schemaName="astep_Astep.DiffViewer" behavior="0"\/>/, '')
      .replace('<CustomizationPrefix>astep</CustomizationPrefix>', '<CustomizationPrefix>Astep-X</CustomizationPrefix>')
      .replace('<Version>1.0.0.0</Version>', '<Version>v1</Version>')
      .replace('<Managed>0</Managed>', '<Managed>yes</Managed>');
    const problems = checkSolutionManifest(broken, pkg.customizationsXml);
    expect(problems).toEqual(expect.arrayContaining([
      'solution.xml: custom control astep_Astep.DiffViewer has no RootComponent of type 66',
      expect.stringMatching(/CustomizationPrefix "Astep-X"/),
      expect.stringMatching(/Version "v1"/),
      'solution.xml: Managed must be 0 or 1',
    ]));
  });

  it('finds a missing content type, a backslash entry, a folder entry and a missing referenced file', async () => {
    const pkg = packSolution(SCHEMA, { version: '1.0.0.0', managed: false, inputs });
    const zip = await JSZip.loadAsync(await zipPackage(pkg));
    zip.remove('Controls/astep_Astep.DiffViewer/bundle.js');
    zip.remove('WebResources/astep_/js/MigrationRunCommands.js');
    zip.file('extra\\file.txt', 'x');
    zip.folder('EmptyFolder');
    const problems = await checkZipLayout(await zip.generateAsync({ type: 'uint8array' }));
    expect(problems).toEqual(expect.arrayContaining([
      'zip: entry extra\\file.txt uses a backslash',
      'zip: [Content_Types].xml has no Default for .txt',
      'zip: EmptyFolder/ is a folder entry (exports have none)',
      'zip: customizations.xml refers to /WebResources/astep_/js/MigrationRunCommands.js, which is not in the zip',
    ]));
  });
});
