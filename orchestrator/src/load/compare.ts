// Does Dataverse already hold the value we would write? Used to skip unchanged rows (a second run writes nothing)
// and, in the sample diff, to tell a real difference from a representation change.

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function sameValue(column: string, desired: unknown, actual: unknown): boolean {
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  if (empty(desired)) return empty(actual);
  if (empty(actual)) return false;
  if (typeof desired === 'number') return Math.abs(Number(actual) - desired) < 1e-6;
  if (typeof desired === 'boolean') return actual === desired || actual === (desired ? 1 : 0) || actual === String(desired);
  if (typeof desired === 'string') {
    const a = String(actual);
    if (column === 'astep_participantroles' || /^\d+(,\d+)+$/.test(desired)) {
      return desired.split(',').sort().join(',') === a.split(',').sort().join(',');
    }
    if (DATE_ONLY.test(desired)) return a.slice(0, 10) === desired;
    if (ISO_INSTANT.test(desired) && ISO_INSTANT.test(a)) return Date.parse(desired) === Date.parse(a);
    return desired === a;
  }
  return JSON.stringify(desired) === JSON.stringify(actual);
}
