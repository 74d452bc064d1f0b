/** CloudFormation metadata key naming a function's handler module under functions/ (read by the local runtime without loading CDK). */
export const HANDLER_ENTRY_METADATA = 'aitags:entry';
