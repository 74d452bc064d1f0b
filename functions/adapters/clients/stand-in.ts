/**
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables. When one points at a local
 * stand-in (s3rver, dynalite, the local Step Functions endpoint), that client alone gets the stand-in's
 * static credentials, so provider clients keep the real credential chain.
 */
const STAND_IN_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const standInCredentials = (endpointVariable: string) => (process.env[endpointVariable] ? { credentials: STAND_IN_CREDENTIALS } : {});
