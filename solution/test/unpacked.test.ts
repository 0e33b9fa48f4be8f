import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { unpackedSource } from '../src/pack/buildSolution';
import { REPO_ROOT, xmllint } from './xsd';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

describe('solution/unpacked (SolutionPackager layout)', () => {
  const dir = join(REPO_ROOT, 'solution', 'unpacked');
  const fresh = unpackedSource(REPO_ROOT);

  it('the committed copy equals a fresh pack (run `npm run build:solution` after changing the schema or UI)', () => {
    expect(existsSync(dir)).toBe(true);
    const committed = listFiles(dir).map((f) => relative(dir, f).split(sep).join('/')).sort();
    expect(committed).toEqual(fresh.map((f) => f.path).sort());
    for (const f of fresh) {
      expect({ path: f.path, content: readFileSync(join(dir, ...f.path.split('/')), 'utf8') }).toEqual({ path: f.path, content: String(f.content) });
    }
  });

  it('has the SolutionPackager folders', () => {
    const paths = fresh.map((f) => f.path);
    for (const p of ['Other/Solution.xml', 'Other/Customizations.xml', 'Other/Relationships.xml', 'Entities/astep_Migrationrun/Entity.xml', 'Entities/Account/Entity.xml', 'OptionSets/astep_mattertype.xml', 'Roles/Actionstep Migration Administrator.xml', 'AppModules/astep_ActionstepMigration/AppModule.xml', 'AppModuleSiteMaps/astep_ActionstepMigration/AppModuleSiteMap.xml']) {
      expect(paths).toContain(p);
    }
    expect(paths.some((p) => /^Entities\/astep_Migrationrun\/FormXml\/main\/\{[0-9a-f-]{36}\}\.xml$/.test(p))).toBe(true);
    expect(paths.some((p) => /^Entities\/astep_Auditentry\/SavedQueries\/\{[0-9a-f-]{36}\}\.xml$/.test(p))).toBe(true);
    // The ribbon is ours; its library is mapped in from plugins-ts at pack time (metadata only here).
    expect(paths).toContain('Entities/astep_Migrationrun/RibbonDiff.xml');
    expect(paths).toContain('WebResources/astep_/js/MigrationRunCommands.js.data.xml');
    expect(paths).not.toContain('WebResources/astep_/js/MigrationRunCommands.js');
    // So are the contact and account forms' on-load scripts, and the form events that call them.
    for (const [lib, entity, fn] of [['ContactForm.js', 'Contact', 'Astep.ContactForm.onLoad'], ['AccountForm.js', 'Account', 'Astep.AccountForm.onLoad']]) {
      expect(paths).toContain(`WebResources/astep_/js/${lib}.data.xml`);
      const forms = fresh.filter((f) => f.path.startsWith(`Entities/${entity}/FormXml/main/`)).map((f) => String(f.content));
      expect(forms.some((x) => x.includes(`<Handler functionName="${fn}" libraryName="astep_/js/${lib}"`))).toBe(true);
    }
    // The ribbon carries both commands.
    const ribbon = String(fresh.find((f) => f.path === 'Entities/astep_Migrationrun/RibbonDiff.xml')!.content);
    expect(ribbon).toContain('FunctionName="Astep.MigrationRun.startRun"');
    expect(ribbon).toContain('FunctionName="Astep.MigrationRun.rollback"');
  });

  it('Other/Customizations.xml validates on its own', () => {
    const r = xmllint(String(fresh.find((f) => f.path === 'Other/Customizations.xml')!.content));
    expect(r.ok).toBe(true);
  });
});
