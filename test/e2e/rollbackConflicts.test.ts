// Rollback asks Dataverse what changed since the run, not its memory of what it wrote. After a run, a sales user
// edits a migrated account in a column the run never wrote, and adds a note and a contact under another migrated
// account. Rollback reports both accounts as conflicts (what changed, by whom, when), deletes neither, never lets a
// cascade reach the note or the contact, undoes everything else, and Dataverse otherwise equals its pre-run snapshot.
import { adminToken, runCli, snapshot, snapshotDiff, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(300_000);

describe('rollback leaves what users touched after the run', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);
  let before: Awaited<ReturnType<typeof snapshot>>;
  /** A write made by a person at the firm (the administrator acting on their behalf, MSCRMCallerID), not by the migration. */
  const asUser = async (userId: string, method: string, path: string, body: unknown) => {
    const res = await fetch(`${emu.dataverse.webApiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await adminToken(emu)}`, 'content-type': 'application/json', accept: 'application/json', MSCRMCallerID: userId, Prefer: 'return=representation' },
      body: JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
    for (const s of ['discover', 'provision', 'extract']) expect((await step(s)).code).toBe(0);
    before = await snapshot(emu);
    const run = await step('run', '--force', '--accept-failures');
    expect(run.code).toBe(0);
  });
  afterAll(async () => emu?.close());

  test('an edit in an unwritten column and a note and contact added under an account are conflicts; nothing of theirs is deleted', async () => {
    const users = (emu.actionstep.firm as unknown as { dataverseUsers: Array<{ email: string; isDisabled: boolean }> }).dataverseUsers;
    const user = users.find((u) => !u.isDisabled)!;
    const userRow = (await webApi(emu, 'GET', `systemusers?$select=systemuserid,fullname&$filter=internalemailaddress eq '${user.email}'`)).json.value[0];
    const accounts = (await webApi(emu, 'GET', "accounts?$select=accountid,name,astep_sourceid,description&$filter=astep_sourceid ne null&$orderby=astep_sourceid")).json.value;
    const [edited, parent] = [accounts[0], accounts[1]];
    expect(edited.description).toBeNull();
    // The run never writes account.description: only the row version can tell that the account changed.
    await asUser(userRow.systemuserid, 'PATCH', `accounts(${edited.accountid})`, { description: 'Met the client on Tuesday' });
    const note = await asUser(userRow.systemuserid, 'POST', 'annotations', { subject: 'Call notes', notetext: 'Wants a quote', 'objectid_account@odata.bind': `/accounts(${parent.accountid})` });
    const contact = await asUser(userRow.systemuserid, 'POST', 'contacts', { firstname: 'Added', lastname: 'After The Run', 'parentcustomerid_account@odata.bind': `/accounts(${parent.accountid})` });

    const r = await step('rollback');
    expect(r.code).toBe(3);
    const conflicts = r.json.items.filter((i: { action: string }) => i.action === 'conflict');
    expect(conflicts.map((c: { key: string }) => c.key).sort()).toEqual([edited.astep_sourceid, parent.astep_sourceid].sort());
    const editedItem = conflicts.find((c: { key: string }) => c.key === edited.astep_sourceid);
    expect(editedItem.message).toMatch(new RegExp(`^Account ${edited.astep_sourceid} was changed after the run \\(columns the run did not write were changed: row version \\d+ is now \\d+\\); last changed by ${userRow.fullname} on \\w{3} \\d{1,2}, \\d{4}`));
    expect(editedItem).toMatchObject({ changedBy: userRow.fullname });
    const parentItem = conflicts.find((c: { key: string }) => c.key === parent.astep_sourceid);
    expect(parentItem.message).toContain(`Account ${parent.astep_sourceid} has records under it that the run did not create: `);
    expect(parentItem.message).toContain(`a note added by ${userRow.fullname} on `);
    expect(parentItem.message).toContain(`a contact added by ${userRow.fullname} on `);
    expect(parentItem.children.map((c: { id: string }) => c.id).sort()).toEqual([note.annotationid, contact.contactid].sort());

    // Neither account is deleted, nor the note and the contact (a cascade from the account would have taken both).
    expect((await webApi(emu, 'GET', `accounts(${edited.accountid})?$select=description`)).json.description).toBe('Met the client on Tuesday');
    expect((await webApi(emu, 'GET', `accounts(${parent.accountid})?$select=name`)).status).toBe(200);
    expect((await webApi(emu, 'GET', `annotations(${note.annotationid})?$select=subject`)).json.subject).toBe('Call notes');
    expect((await webApi(emu, 'GET', `contacts(${contact.contactid})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(parent.accountid);

    // Everything else is undone: the only differences from the pre-run snapshot are the two kept accounts and the
    // user's note and contact.
    const after = await snapshot(emu);
    const keptKeys = [`account:${edited.astep_sourceid}`, `account:${parent.astep_sourceid}`, `annotation:${note.annotationid}`, 'contact:Added After The Run'];
    const diffs = snapshotDiff(before, after);
    expect(diffs.filter((d) => !keptKeys.some((k) => d.startsWith(`${k}:`) || d.startsWith(`${k}.`)))).toEqual([]);
    expect(diffs.filter((d) => d.endsWith('only in the second')).sort()).toEqual(keptKeys.map((k) => `${k}: only in the second`).sort());

    // A second rollback changes nothing and reports the same two conflicts.
    const again = await step('rollback');
    expect(again.code).toBe(3);
    expect(again.json.counts).toMatchObject({ conflict: 2, deleted: 0, restored: 0, failed: 0 });
    expect(snapshotDiff(after, await snapshot(emu))).toEqual([]);

    // --force stays explicit: the accounts go, and their cascade takes the note and the contact with them.
    const forced = await step('rollback', '--force');
    expect(forced.code).toBe(0);
    expect(snapshotDiff(before, await snapshot(emu))).toEqual([]);
  });
});
