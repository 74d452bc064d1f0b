import { SFNClient } from '@aws-sdk/client-sfn';
import { once } from '../../runtime/once.js';
import { standInCredentials } from './stand-in.js';

/** The Step Functions client, built on first use and reused across warm invocations. */
export const stepFunctionsClient = once(() => new SFNClient(standInCredentials('AWS_ENDPOINT_URL_SFN')));
