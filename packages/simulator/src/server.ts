/** The HTTP face of the simulator: one POST endpoint on 127.0.0.1, faults by configuration. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTH_ERROR_XML, Api, CONTENT_TYPE, isRecord, type Answer } from './api';
import { createVirtualClock, type VirtualClock } from './clock';
import {
  faultSchema,
  resolveOptions,
  type Fault,
  type FaultSpec,
  type SimulatorOptions,
  type SimulatorOptionsInput,
} from './options';
import { createTenant } from './tenant';
import type { Tenant } from './types';

export const ENDPOINT_PATH = '/enterpriseapi.php';

/** What the simulator saw of one request; `provhash` is never kept. */
export interface RecordedRequest {
  cmd: string;
  apiUser: string;
  contentType: string;
  /** The parsed body with `provhash` replaced by `[REDACTED]`; undefined when it was not JSON. */
  body: Record<string, unknown> | undefined;
  /** The answer's HTTP status and the fault applied, if any. */
  status: number;
  fault: Fault['kind'] | undefined;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>/enterpriseapi.php` */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Ground truth; `tenant.events` grows with self-audit events. */
  tenant: Tenant;
  clock: VirtualClock;
  options: SimulatorOptions;
  /** The requests received, in order: every one, or the latest `requestLogLimit` of them. */
  requests: RecordedRequest[];
  /** How many requests were received in all (also those the log no longer holds). */
  readonly requestCount: number;
  /** Adds a fault rule at run time. */
  addFault(fault: FaultSpec): void;
}

export interface StartOptions extends SimulatorOptionsInput {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Keep only the latest this many requests in `requests` (default: all — a long-running server sets it). */
  requestLogLimit?: number;
}

interface FaultState {
  fault: Fault;
  seen: number;
}

function applies(state: FaultState, cmd: string): boolean {
  const { fault } = state;
  if (fault.command !== undefined && fault.command !== cmd) return false;
  const n = state.seen++ - fault.after;
  if (n < 0) return false;
  return fault.every === undefined ? n < fault.count : n % fault.every < fault.count;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    'content-type': CONTENT_TYPE,
    'content-length': body.length,
    ...answer.headers,
  });
  res.end(body);
}

export async function startSimulator(input: StartOptions = {}): Promise<RunningSimulator> {
  const { port = 0, requestLogLimit = Number.POSITIVE_INFINITY, ...rest } = input;
  const options = resolveOptions(rest);
  const tenant = createTenant(options);
  const clock = createVirtualClock(options.now, options.clock);
  const api = new Api(tenant, options, clock);
  const faults: FaultState[] = options.faults.map((fault) => ({ fault, seen: 0 }));
  const requests: RecordedRequest[] = [];
  let requestCount = 0;
  const timers = new Set<NodeJS.Timeout>();

  const answer = (
    text: string,
  ): { answer: Answer; record: Omit<RecordedRequest, 'status' | 'fault' | 'contentType'> } => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return {
        answer: { status: 200, body: JSON.stringify({ status: 'FAIL', error: 'Malformed request' }) },
        record: { cmd: '', apiUser: '', body: undefined },
      };
    }
    const body = isRecord(parsed) ? parsed : {};
    const cmd = typeof body.cmd === 'string' ? body.cmd : '';
    const apiUser = typeof body.apiuser === 'string' ? body.apiuser : options.apiUser;
    const record = {
      cmd,
      apiUser,
      body: { ...body, ...('provhash' in body ? { provhash: '[REDACTED]' } : {}) },
    };
    const cid = typeof body.cid === 'number' || typeof body.cid === 'string' ? String(body.cid).trim() : '';
    if (cid !== options.accountNumber || body.provhash !== options.provisioningHash) {
      return { answer: { status: 200, body: AUTH_ERROR_XML }, record };
    }
    return { answer: api.handle({ cmd, data: body.data, user: body.user, apiUser }), record };
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.url?.split('?')[0] !== ENDPOINT_PATH && req.url !== '/') {
        send(res, { status: 404, body: 'Not Found' });
        return;
      }
      if (req.method !== 'POST') {
        send(res, { status: 405, body: 'Method Not Allowed', headers: { allow: 'POST' } });
        return;
      }
      const text = await readBody(req);
      const peek = /"cmd"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? '';
      let fault: Fault | undefined;
      for (const state of faults) {
        if (applies(state, peek) && fault === undefined) fault = state.fault;
      }
      const contentType = req.headers['content-type'] ?? '';
      const log = (
        status: number,
        record: Omit<RecordedRequest, 'status' | 'fault' | 'contentType'>,
      ): void => {
        requests.push({ ...record, contentType, status, fault: fault?.kind });
        requestCount++;
        // dropped in chunks: amortised O(1) per request
        if (requests.length >= 2 * requestLogLimit) requests.splice(0, requests.length - requestLogLimit);
      };
      if (fault?.kind === 'slow') {
        const delayMs = fault.delayMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, delayMs);
          timers.add(timer);
          res.on('close', () => {
            clearTimeout(timer);
            timers.delete(timer);
            resolve();
          });
        });
        if (res.destroyed) return;
      }
      if (fault?.kind === 'reset') {
        log(0, { cmd: peek, apiUser: '', body: undefined });
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'rate-limit') {
        log(429, { cmd: peek, apiUser: '', body: undefined });
        const headers: Record<string, string> = { 'content-type': 'text/html' };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        send(res, { status: 429, body: '<html><body><h1>429 Too Many Requests</h1></body></html>', headers });
        return;
      }
      if (fault?.kind === 'server-error') {
        log(fault.status, { cmd: peek, apiUser: '', body: undefined });
        send(res, {
          status: fault.status,
          body: `<html><body><h1>${fault.status} Server Error</h1></body></html>`,
          headers: { 'content-type': 'text/html' },
        });
        return;
      }
      const result = answer(text);
      log(result.answer.status, result.record);
      if (fault?.kind === 'truncated') {
        send(res, {
          ...result.answer,
          body: result.answer.body.slice(0, Math.max(1, Math.floor(result.answer.body.length / 2))),
        });
        return;
      }
      send(res, result.answer);
    })().catch((error: unknown) => {
      if (!res.headersSent)
        send(res, { status: 500, body: error instanceof Error ? error.message : 'error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}${ENDPOINT_PATH}`,
    port: bound,
    tenant,
    clock,
    options,
    requests,
    get requestCount() {
      return requestCount;
    },
    addFault(spec: FaultSpec): void {
      faults.push({ fault: faultSchema.parse(spec), seen: 0 });
    },
    close(): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
