import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server and how to stop it. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

type JsonAnswer = { status: number; body: unknown; errorType?: string };
type Operation = (input: Record<string, unknown>) => JsonAnswer;

/** An AWS JSON-protocol service (`POST /`, `X-Amz-Target: <prefix>.<Operation>`) with the given operations. */
function startAwsJsonFake(targetPrefix: string, contentType: string, operations: Record<string, Operation>): Promise<LoopbackServer> {
  return listen(async (request, response) => {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(`${targetPrefix}.`) ? operations[target.slice(targetPrefix.length + 1)] : undefined;
    let answer: JsonAnswer;
    if (request.method !== 'POST' || !operation) {
      answer = awsError(400, 'UnknownOperationException', `The fake serves ${Object.keys(operations).join(', ')} only (got ${String(target)})`);
    } else if (!/Credential=/.test(request.headers.authorization ?? '')) {
      answer = awsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    } else {
      try {
        answer = operation(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
      } catch {
        answer = awsError(400, 'SerializationException', 'Start of structure or map found where not expected.');
      }
    }
    response
      .writeHead(answer.status, {
        'content-type': contentType,
        'x-amzn-requestid': randomUUID(),
        ...(answer.errorType && { 'x-amzn-errortype': answer.errorType }),
      })
      .end(JSON.stringify(answer.body));
  });
}

const awsError = (status: number, type: string, message: string): JsonAnswer => ({ status, errorType: type, body: { __type: type, message } });

/** Secrets Manager GetSecretValue (AWS JSON 1.1) for the given secrets, keyed by ARN. */
export function startFakeSecretsManager(secrets: Readonly<Record<string, string>>): Promise<LoopbackServer> {
  return startAwsJsonFake('secretsmanager', 'application/x-amz-json-1.1', {
    GetSecretValue: (input) => {
      const id = String(input.SecretId ?? '');
      const arn = Object.keys(secrets).find((candidate) => candidate === id || secretName(candidate) === id);
      const value = arn === undefined ? undefined : secrets[arn];
      if (arn === undefined || value === undefined) {
        return awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      return { status: 200, body: { ARN: arn, Name: secretName(arn), SecretString: value } };
    },
  });
}

/** `arn:aws:secretsmanager:…:secret:Name-AbCdEf` → `Name` (the six-character suffix is Secrets Manager's). */
const secretName = (arn: string) => (arn.split(':secret:')[1] ?? arn).replace(/-[A-Za-z0-9]{6}$/, '');

/** Step Functions StartExecution (AWS JSON 1.0): answers as the service does and records nothing. */
export function startFakeStepFunctions(): Promise<LoopbackServer> {
  return startAwsJsonFake('AWSStepFunctions', 'application/x-amz-json-1.0', {
    StartExecution: (input) => {
      const stateMachineArn = String(input.stateMachineArn ?? '');
      if (!stateMachineArn.includes(':stateMachine:')) return awsError(400, 'InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
      const name = typeof input.name === 'string' ? input.name : randomUUID();
      return {
        status: 200,
        body: { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: Date.now() / 1000 },
      };
    },
  });
}

/** A webhook receiver that answers 200 to everything. */
export function startWebhookReceiver(): Promise<LoopbackServer> {
  return listen(async (request, response) => {
    await readBody(request);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
}

async function listen(handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<LoopbackServer> {
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
