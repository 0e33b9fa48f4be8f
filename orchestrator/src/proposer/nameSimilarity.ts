// Name similarity between an Actionstep field name (camelCase) and a Dataverse logical name (lower case, run
// together: `emailaddress1`), with the synonyms a migration consultant would apply.

/** Words that appear inside run-together logical names, longest first when segmenting. */
const VOCABULARY = [
  'address', 'amount', 'billable', 'billed', 'billing', 'behavior', 'birth', 'balance', 'business', 'city', 'code', 'company',
  'completed', 'country', 'created', 'date', 'description', 'due', 'email', 'end', 'entry', 'family', 'file', 'first', 'full',
  'given', 'home', 'hours', 'id', 'job', 'last', 'line', 'matter', 'middle', 'mobile', 'modified', 'name', 'narrative', 'nick',
  'number', 'on', 'opened', 'participant', 'phone', 'postal', 'preferred', 'priority', 'rate', 'reference', 'role', 'salutation',
  'scheduled', 'size', 'source', 'start', 'state', 'status', 'step', 'subject', 'tax', 'telephone', 'text', 'time', 'title',
  'total', 'trust', 'type', 'uploaded', 'url', 'user', 'value', 'web', 'website', 'changed', 'province', 'or', 'fax', 'actual',
  'estimated', 'close', 'occupation', 'note', 'gender', 'timestamp',
].sort((a, b) => b.length - a.length || a.localeCompare(b));

/**
 * Concepts: different names for the same thing. Keys are the concept, values the names (tokens joined) that mean it.
 * `reference` is Actionstep's matter number; `occupation` is Dataverse's job title.
 */
export const SYNONYMS: Record<string, readonly string[]> = {
  email: ['email', 'emailaddress', 'emailaddress1', 'mail', 'emailaddr'],
  lastname: ['lastname', 'surname', 'familyname'],
  firstname: ['firstname', 'givenname', 'forename'],
  middlename: ['middlename', 'othernames'],
  nickname: ['nickname', 'preferredname', 'knownas'],
  matternumber: ['matternumber', 'reference', 'matterreference', 'fileno', 'filenumber', 'matterref'],
  phone: ['phone', 'telephone', 'telephone1', 'phonenumber', 'businessphone', 'workphone', 'phone1'],
  mobile: ['mobile', 'mobilephone', 'cell', 'cellphone', 'mobilenumber', 'phone2'],
  website: ['website', 'websiteurl', 'url', 'web', 'homepage'],
  jobtitle: ['jobtitle', 'occupation', 'position'],
  birthdate: ['birthdate', 'birthday', 'dateofbirth', 'dob', 'birthtimestamp'],
  description: ['description', 'notes', 'note', 'notetext', 'comments'],
  openedon: ['openedon', 'createdtimestamp', 'opendate', 'dateopened'],
  postalcode: ['postalcode', 'postcode', 'zip', 'zipcode', 'address1postalcode'],
  city: ['city', 'suburb', 'town', 'address1city'],
};

const conceptOf = new Map<string, string>();
for (const [concept, names] of Object.entries(SYNONYMS)) for (const n of names) conceptOf.set(n, concept);

/** Splits a name into lower-case word tokens: camelCase, snake_case, digits; run-together words by vocabulary. */
export function nameTokens(name: string): string[] {
  const stripped = name.replace(/^astep_(dc_)?/, '');
  const rough = stripped.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_\-.\s]+/g, ' ').replace(/\d+/g, ' ').toLowerCase().trim();
  const out: string[] = [];
  for (const part of rough.split(' ').filter(Boolean)) out.push(...segment(part));
  return out;
}

function segment(word: string): string[] {
  // Greedy longest match; an unknown stretch stays one token.
  const out: string[] = [];
  let i = 0;
  let unknown = '';
  while (i < word.length) {
    const hit = VOCABULARY.find((v) => word.startsWith(v, i));
    if (hit) {
      if (unknown) { out.push(unknown); unknown = ''; }
      out.push(hit);
      i += hit.length;
    } else {
      unknown += word[i];
      i++;
    }
  }
  if (unknown) out.push(unknown);
  return out;
}

export interface NameMatch {
  score: number;
  reason: string;
}

/** 0..1 similarity of a source field name and a target column (its logical and display names). */
export function nameSimilarity(sourceName: string, targetLogicalName: string, targetDisplayName?: string): NameMatch {
  const src = nameTokens(sourceName);
  const tgt = nameTokens(targetLogicalName);
  const srcJoined = src.join('');
  const tgtJoined = tgt.join('');
  if (srcJoined && srcJoined === tgtJoined) return { score: 1, reason: `same name ("${sourceName}" ~ "${targetLogicalName}")` };
  const sc = conceptOf.get(srcJoined) ?? conceptOf.get(sourceName.toLowerCase());
  const tc = conceptOf.get(tgtJoined) ?? conceptOf.get(targetLogicalName.replace(/^astep_/, '').toLowerCase());
  if (sc && sc === tc) return { score: 0.95, reason: `synonyms: "${sourceName}" and "${targetLogicalName}" both mean ${sc}` };
  const displayTokens = targetDisplayName ? nameTokens(targetDisplayName.replace(/\s+/g, '_')) : [];
  const targetSet = new Set([...tgt, ...displayTokens]);
  const shared = [...new Set(src)].filter((t) => targetSet.has(t));
  if (!shared.length) return { score: 0, reason: 'no name tokens in common' };
  // Dice coefficient over the token sets, measured against the logical name's tokens.
  const dice = (2 * shared.length) / (new Set(src).size + new Set(tgt.length ? tgt : displayTokens).size);
  return { score: Math.min(0.9, dice), reason: `name tokens in common: ${shared.join(', ')}` };
}
