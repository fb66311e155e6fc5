import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KibanaCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** How the fake Fleet answers; `installed` is the version it reports, `uploadStatus` overrides the upload answer. */
export interface FakeKibanaState {
  installed: string | undefined;
  uploadStatus?: number;
  uploadMessage?: string;
  /** Basic or ApiKey header value required on every call. */
  authorization?: string;
  /** Detection rules imported so far, by rule_id (the detection engine's `_import`). */
  rules?: Map<string, Record<string, unknown>>;
  /** Overrides the `_import` answer's status. */
  importStatus?: number;
  /** rule_ids `_import` refuses (per-rule errors in a 200 answer, as Kibana reports invalid rules). */
  refuseRuleIds?: string[];
}

/** Parts of a multipart/form-data body: name, filename, content (a test parser, not a general one). */
export function multipartParts(
  contentType: string,
  body: Buffer,
): { name: string; filename: string | undefined; content: string }[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) return [];
  return body
    .toString('utf8')
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head = '', ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
      const content = rest.join('\r\n\r\n').replace(/\r\n$/, '');
      return {
        name: /name="([^"]*)"/.exec(head)?.[1] ?? '',
        filename: /filename="([^"]*)"/.exec(head)?.[1],
        content,
      };
    });
}

/** The detection engine's `_import`, shaped like Kibana 8.x: file extension check, overwrite, per-rule errors. */
function importRules(state: FakeKibanaState, call: KibanaCall): { status: number; body: unknown } {
  if (state.importStatus !== undefined)
    return {
      status: state.importStatus,
      body: { statusCode: state.importStatus, error: 'Error', message: 'refused' },
    };
  const file = multipartParts(call.headers['content-type'] ?? '', call.body).find((p) => p.name === 'file');
  if (!file)
    return {
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: '[request body.file]: expected value of type [Stream]',
      },
    };
  const ext = /\.[^.]*$/.exec(file.filename ?? '')?.[0] ?? '';
  if (ext !== '.ndjson')
    return { status: 400, body: { message: `Invalid file extension ${ext}`, status_code: 400 } };
  const overwrite = new URL(call.path, 'http://x').searchParams.get('overwrite') === 'true';
  state.rules ??= new Map();
  const errors: unknown[] = [];
  let success = 0;
  const lines = file.content.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    const rule = JSON.parse(line) as Record<string, unknown>;
    const id = String(rule['rule_id']);
    if (state.refuseRuleIds?.includes(id)) {
      errors.push({
        rule_id: id,
        error: { status_code: 400, message: 'threshold.value: Expected number, received string' },
      });
      continue;
    }
    if (state.rules.has(id) && !overwrite) {
      errors.push({ rule_id: id, error: { status_code: 409, message: `rule_id: "${id}" already exists` } });
      continue;
    }
    state.rules.set(id, rule);
    success += 1;
  }
  return {
    status: 200,
    body: {
      success: errors.length === 0,
      success_count: success,
      rules_count: lines.length,
      errors,
      exceptions_success: true,
      exceptions_success_count: 0,
      exceptions_errors: [],
      action_connectors_success: true,
      action_connectors_success_count: 0,
      action_connectors_errors: [],
      action_connectors_warnings: [],
    },
  };
}

export interface FakeKibana {
  url: string;
  calls: KibanaCall[];
  state: FakeKibanaState;
  close(): Promise<void>;
}

/**
 * A few Fleet endpoints, shaped like Kibana 8.x answers (`GET /api/fleet/epm/packages/<name>`,
 * `POST /api/fleet/epm/packages`), and the detection engine's rules `_import`. A local test
 * instrument, not Kibana.
 */
export async function startFakeKibana(state: FakeKibanaState): Promise<FakeKibana> {
  const calls: KibanaCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const call: KibanaCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks),
      };
      calls.push(call);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (state.authorization !== undefined && headers['authorization'] !== state.authorization) {
        reply(401, {
          statusCode: 401,
          error: 'Unauthorized',
          message: '[security_exception]: unable to authenticate user',
        });
        return;
      }
      const match = /^\/api\/fleet\/epm\/packages\/([^/?]+)$/.exec(call.path);
      if (call.method === 'GET' && match) {
        if (state.installed === undefined) {
          reply(404, {
            statusCode: 404,
            error: 'Not Found',
            message: `[${match[1] ?? ''}] package not found in registry`,
          });
        } else {
          reply(200, {
            item: {
              name: match[1],
              version: state.installed,
              status: 'installed',
              installationInfo: { version: state.installed, install_status: 'installed' },
            },
          });
        }
        return;
      }
      if (call.method === 'POST' && call.path.startsWith('/api/detection_engine/rules/_import')) {
        const answer = importRules(state, call);
        reply(answer.status, answer.body);
        return;
      }
      if (call.method === 'POST' && call.path === '/api/fleet/epm/packages') {
        if (state.uploadStatus !== undefined) {
          reply(state.uploadStatus, {
            statusCode: state.uploadStatus,
            error: 'Error',
            message: state.uploadMessage ?? 'failed',
          });
          return;
        }
        reply(200, {
          items: [
            { id: 'logs-x', type: 'index_template' },
            { id: 'logs-x-1', type: 'ingest_pipeline' },
          ],
          _meta: { install_source: 'upload', name: 'lastpass_enterprise' },
        });
        return;
      }
      reply(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    state,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
