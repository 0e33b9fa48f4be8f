// What was noticed, in the admin's words. Field problems carry short rule ids (`date-valid`, `status-map`) that
// field-problems.csv and `--json` keep; the summary, the report and the wizard show these sentences instead. A rule
// that is already a sentence ("trust ledger: running balance does not add up") is shown as it is.
const FINDING_LABELS: Record<string, string> = {
  'boolean-format': 'Yes/no values that are neither yes nor no',
  'control-characters': 'Invisible control characters removed from text',
  'date-format': 'Dates not written as year-month-day',
  'date-range': 'Dates outside the range Dynamics accepts',
  'date-valid': 'Dates that do not exist on the calendar',
  'email-format': 'Email addresses that are not valid',
  'html-to-text': 'File notes written in HTML, kept as plain text',
  'money-format': 'Amounts that are not numbers',
  'money-range': 'Amounts outside the range Dynamics accepts',
  'name-missing': 'Records with no name (a stand-in name was given)',
  'no-email-or-phone': 'People with no email and no phone (cannot be matched to existing contacts)',
  'number-format': 'Numbers that are not numbers',
  'number-range': 'Numbers outside the range Dynamics accepts',
  'one-value-per-account': 'Several different values where an account takes one',
  'status-map': 'Matter statuses not in the status map',
  'timestamp-format': 'Times not in a form Actionstep documents',
  'timestamp-valid': 'Times that do not exist on the calendar',
  'trust-reconcile': 'Trust figures that do not reconcile with the ledger',
  // mappings/shared.ts UNKNOWN_VALUE: a value Actionstep's documentation does not list, handled by the plan's map.
  'unknown value': 'Values Actionstep does not document (handled by the plan\'s unknown-value map)',
};

/** "Dates that do not exist on the calendar" for `date-valid`; a rule that is already a sentence is kept. */
export function findingLabel(rule: string): string {
  return FINDING_LABELS[rule] ?? rule;
}
