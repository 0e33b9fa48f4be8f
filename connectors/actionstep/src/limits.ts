// Actionstep's fixed sizes, for the client and for anyone who plans around them (the migration plan's estimates).

/** Records per page: Actionstep caps pageSize at 200 (docs.actionstep.com/api-limits/, reference source S3). */
export const MAX_PAGE_SIZE = 200;
/** Actionstep serves files in 5 MB parts (reference §3 "Documents and files"). */
export const FILE_PART_SIZE_IN_BYTES = 5 * 1024 * 1024;
