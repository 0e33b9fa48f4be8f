// Dataverse Web API errors: `{"error":{"code":"0x...","message":"..."}}` with the real hex codes and messages
// (reference/dataverse.md §1, §4–§8). Tests match on `code`.

export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DataverseError';
  }
  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const CODES = {
  objectDoesNotExist: '0x80040217',
  duplicateRecord: '0x80040237',
  duplicateRecordEntityKey: '0x80060892',
  keyValuesNotFound: '0x80060891',
  payloadError: '0x80048d19',
  querySyntax: '0x8006088a',
  validation: '0x80044331',
  unexpected: '0x80040216',
  notSupported: '0x80040315',
  concurrencyMismatch: '0x80060882',
  requestsLimit: '0x80072322',
  executionTimeLimit: '0x80072321',
  concurrencyLimit: '0x80072326',
  opportunitySetState: '0x80100005',
  attachmentTooBig: '0x80044a02',
  appEntityLimit: '0x80048547',
  duplicateAttributeSchemaName: '0x80047013',
  duplicateName: '0x80047010',
  privilege: '0x80040220',
  // [I] No published code for "user is disabled"; 0x80040225 is our choice (the message is the documented one).
  userDisabled: '0x80040225',
  invalidArgument: '0x80040203',
} as const;

export const err = {
  notFound: (table: string, id: string) =>
    new DataverseError(404, CODES.objectDoesNotExist, `${table} With Id = ${id} Does Not Exist`),
  keyNotFound: (table: string) =>
    new DataverseError(404, CODES.keyValuesNotFound, `A record with the specified key values does not exist in ${table} entity`),
  segment: (segment: string) => new DataverseError(404, CODES.querySyntax, `Resource not found for the segment '${segment}'.`),
  querySyntax: (detail?: string) =>
    new DataverseError(400, CODES.querySyntax, detail ? `Error in query syntax. ${detail}` : 'Error in query syntax.'),
  invalidProperty: (prop: string, table: string) =>
    new DataverseError(
      400,
      '0x0',
      `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${prop}' was found in entity 'Microsoft.Dynamics.CRM.${table}'. ---> Microsoft.OData.ODataException: Does not support untyped value in non-open type.`,
    ),
  unknownSelect: (prop: string, table: string) =>
    new DataverseError(400, '0x0', `Could not find a property named '${prop}' on type 'Microsoft.Dynamics.CRM.${table}'.`),
  undeclaredAnnotationOnly: (prop: string) =>
    new DataverseError(
      400,
      CODES.payloadError,
      `An undeclared property '${prop}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
    ),
  payload: (message: string) => new DataverseError(400, CODES.payloadError, message),
  maxLength: (attr: string, table: string, max: number) =>
    new DataverseError(
      400,
      CODES.validation,
      `A validation error occurred. The length of the '${attr}' attribute of the '${table}' entity exceeded the maximum allowed length of '${max}'.`,
    ),
  validation: (message: string) => new DataverseError(400, CODES.validation, `A validation error occurred. ${message}`),
  invalidKeyUri: (table: string) =>
    new DataverseError(
      400,
      CODES.payloadError,
      `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${table}'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.${table}'.`,
    ),
  recordExists: () => new DataverseError(412, CODES.duplicateRecord, 'A record with matching key values already exists.'),
  versionMismatch: () =>
    new DataverseError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided."),
  duplicateKey: (keyName: string, table: string, cols: string[], values: unknown[]) =>
    new DataverseError(
      412,
      CODES.duplicateRecordEntityKey,
      `Entity Key ${keyName} violated. A record with the same value for ${cols.join(',')} already exists. A duplicate record cannot be created. Duplicate key value: ${values.map(String).join(',')}`,
    ),
  duplicatePk: () => new DataverseError(412, CODES.duplicateRecord, 'Cannot insert duplicate key.'),
  unexpected: () => new DataverseError(400, CODES.unexpected, 'An unexpected error occurred.'),
  disabledUser: (userId: string, orgId: string) =>
    new DataverseError(
      400,
      CODES.userDisabled,
      `The user with SystemUserId=${userId} in OrganizationContext=${orgId} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license assigned to them.`,
    ),
  notImplemented: (message: string) => new DataverseError(501, CODES.notSupported, message),
};

export const SERVICE_UNAVAILABLE_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
  '<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n' +
  '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
  '<BODY><h2>Service Unavailable</h2>\r\n<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n</BODY></HTML>\r\n';
