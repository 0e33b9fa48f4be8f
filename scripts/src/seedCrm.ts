// The demo's CRM is not empty: before the run it holds a few contacts and an account that the migration will match
// (same email, same name) and update, so the audit has before values to restore and rollback has real work.
import type { DataverseApi } from '@astep/dataverse-connector';
import type { GeneratedFirm } from '@astep/actionstep-emulator';

export async function seedExistingCrmData(client: DataverseApi, firm: GeneratedFirm, people = 3): Promise<Array<{ table: string; id: string; match: string }>> {
  const out: Array<{ table: string; id: string; match: string }> = [];
  const emails = new Set<string>();
  for (const p of firm.iterate('participants')) {
    if (out.length >= people) break;
    if (p.isCompany || !p.email || !/^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(p.email) || emails.has(p.email.toLowerCase())) continue;
    emails.add(p.email.toLowerCase());
    const id = await client.create('contacts', { firstname: 'Existing', lastname: p.lastName ?? 'Contact', emailaddress1: p.email.toLowerCase(), jobtitle: 'Entered by hand before the migration' });
    out.push({ table: 'contact', id, match: p.email.toLowerCase() });
  }
  for (const p of firm.iterate('participants')) {
    if (!p.isCompany || !p.displayName || p.displayName.length > 160) continue;
    const id = await client.create('accounts', { name: p.displayName, telephone1: '+64 9 000 0000' });
    out.push({ table: 'account', id, match: p.displayName });
    break;
  }
  return out;
}
